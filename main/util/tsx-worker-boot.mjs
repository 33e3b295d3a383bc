// Development and tests only: lets a worker thread run a TypeScript entry from
// source. Built bundles spawn their compiled .js workers directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__entry);
