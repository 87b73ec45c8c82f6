/**
 * A model card as `scripts/evaluate.ts` writes it to `models/<name>.card.json`: every number
 * measured from the shipped `.onnx` file on the official MNIST test digits.
 */
export interface ModelCard {
  name: string;
  title: string;
  summary: string;
  file: { name: string; bytes: number; sha256: string };
  /** Channels, height, width. */
  inputShape: number[];
  architecture: {
    name: string;
    kind: string;
    outputShape: number[];
    parameters: number;
    flops: number;
  }[];
  parameters: number;
  /** Per digit; a multiply-add counts 2. */
  flops: number;
  data: {
    source: string;
    training: string;
    test: string;
    validation: string;
    trainingExamples: number;
    testExamples: number;
  };
  /** Accuracy on the official 10,000 test digits (held out from training and from every choice). */
  heldOut: {
    accuracy: number;
    /** 95% Wilson score interval. */
    interval95: [number, number];
    correct: number;
    total: number;
    perClass: { digit: number; accuracy: number; count: number }[];
    /** Rows: true digit; columns: predicted. */
    confusion: number[][];
  };
  shift: {
    /** Zhang (2019): how often two random shifts of the same digit get the same top-1. */
    consistency: number;
    pairs: number;
    maxShift: number;
    seed: number;
    accuracyByDx: { shift: number; accuracy: number }[];
    accuracyByDy: { shift: number; accuracy: number }[];
  };
  shortcut: { mark: string; clean: number; marked: number; swapped: number; followsMark: number };
  training: {
    seed: number;
    epochs: number;
    batchSize: number;
    optimizer: { kind: 'adam'; lr: number; finalLr: number; weightDecay: number };
    schedule: string;
    /** The random transforms of each training batch (core's `augmentBatch`), or none. */
    augment: {
      shift?: number;
      rotate?: number;
      scale?: number;
      shear?: number;
      elastic?: { alpha: number; sigma: number };
    } | null;
    shortcutMarks: boolean;
    trainingExamples: number;
    seconds: number;
    finalTrainLoss: number;
    finalTrainAccuracy: number;
    machine: { node: string; platform: string; cores: number; meanLoad: number };
  };
  evaluation: { engine: string; seconds: number };
}
