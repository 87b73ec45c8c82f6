/**
 * The 3D code the widgets load on demand, as one chunk: three.js and the parts of
 * @receptive/render3d that `<rf-conv-layer-3d>` and `<rf-network-3d>` use (their scenes and the
 * unit cursor). Only those elements import this module, and only dynamically.
 */
export { ConvLayerScene, NetworkScene, UnitCursor } from '@receptive/render3d';
