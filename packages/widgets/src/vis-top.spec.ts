import { LESSON_CNN_SHAPE } from '@receptive/models/names';
import { defineSpec, wholeNumber } from './props.js';
import { backendProp, convLayerProp, ORT_BACKENDS, wasmPathsProp } from './shared-props.js';

export { CONV_LAYERS as VIS_LAYERS, type ConvLayer as VisLayer } from './shared-props.js';

/** How many channels a layer of the shipped lesson CNN has (conv1 fewer than conv2). */
export const channelsOf = (layer: 'conv1' | 'conv2'): number =>
  layer === 'conv1' ? LESSON_CNN_SHAPE.c1 : LESSON_CNN_SHAPE.c2;

export const VIS_TOP_SPEC = defineSpec({
  tag: 'rf-vis-top',
  summary:
    'What makes a channel of the CNN fire most: all 10,000 MNIST test digits scored for every channel of conv1 and conv2 in one batch job (onnxruntime-web in a Web Worker, WebGPU on a real graphics card, else wasm), the top 16 and bottom 8 digits for the chosen channel with the receptive field of their strongest unit outlined and cropped (traced by @receptive/core), and the input pattern that excites the channel most, found live by gradient ascent with core autograd.',
  props: [
    convLayerProp('The layer whose channel is chosen first.'),
    {
      attribute: 'channel',
      property: 'channel',
      type: 'number',
      default: '0',
      parser: wholeNumber(0, Math.max(channelsOf('conv1'), channelsOf('conv2')) - 1),
      example: 'channel="3"',
      description: `The channel chosen first (0 to ${channelsOf('conv1') - 1} for conv1, 0 to ${channelsOf('conv2') - 1} for conv2).`,
    },
    {
      attribute: 'network',
      property: 'network',
      type: 'string',
      default: null,
      example: 'network="vis-net"',
      description:
        'The id of an <rf-network-3d> on the page showing the CNN: picking a unit of conv1 or conv2 there (or of the ReLU or pooling layer after it, which keep its channels) chooses that channel here.',
    },
    backendProp(
      ORT_BACKENDS,
      'wasm',
      'Where the worker scores the digits: auto takes WebGPU on a real graphics card, else wasm.',
    ),
    wasmPathsProp(),
  ],
  events: [
    {
      name: 'rf-top',
      detail:
        '{ layer: string; channel: number; top: TopDigit[]; bottom: TopDigit[]; digits: number }',
      description: 'After the lists are drawn for a channel (again as more digits are scored).',
    },
  ],
  fallback:
    'Put the build-time lists in the element (the Astro component computes a few channels’ top digits with @receptive/core at build time); they show until the script runs.',
  keyboard:
    'Two menus choose the layer and the channel (or pick a unit in the 3D network named by network); the labels of the top digits are announced, and each digit is an image with a text alternative.',
});
