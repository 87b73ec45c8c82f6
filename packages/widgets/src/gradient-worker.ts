/**
 * A helper thread of `<rf-digit-trainer>`'s CPU path: the trainer's worker starts one per extra
 * core and splits each batch across them (@receptive/core's DataParallelTrainer); this one
 * computes the gradients of its share (serveGradients).
 */
import { type GradientPort, serveGradients } from '@receptive/core';

serveGradients(self as unknown as GradientPort);
