// A gradient worker for the core-threads suite: a worker thread running @receptive/core as
// built, answering a DataParallelTrainer on the port it is given.
import { workerData } from 'node:worker_threads';
import { type GradientPort, serveGradients } from '@receptive/core';

serveGradients(workerData.port as GradientPort);
