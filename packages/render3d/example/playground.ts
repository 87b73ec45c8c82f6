import * as render3d from '@receptive/render3d';
import * as THREE from 'three';
import * as synthetic from './synthetic.ts';

// Everything on window, for the console and for the real-browser tests and benchmarks.
Object.assign(window, { render3d, THREE, synthetic, playgroundReady: true });
