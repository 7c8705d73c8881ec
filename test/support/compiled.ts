import { resolve } from 'node:path';

/**
 * The path of a compiled module under dist/src, for specs that need the JavaScript a worker thread
 * runs (`npm test` builds first).
 */
export const dist = (path: string) => resolve(__dirname, '../../dist/src', path);
