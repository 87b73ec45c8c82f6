// A gradient worker in Node: a worker thread running @receptive/core as built, answering a
// DataParallelTrainer on the port it is given (the digit trainer's e2e reference, the bench's
// core-threads suite). The trainer's messages say which kernels to use.
import { workerData } from 'node:worker_threads';
import { type GradientPort, serveGradients } from '@receptive/core';

serveGradients(workerData.port as GradientPort);
