// A gradient worker for parallel.test.ts: a real worker thread running the core as built
// (a worker cannot load the TypeScript sources), answering on the port it is given.
import { workerData } from 'node:worker_threads';
import { serveGradients } from '../../dist/index.js';

serveGradients(workerData.port);
