import { join } from 'node:path';

/** The embedded store's files in DATA_DIR: the events, which are the truth, and the read models. */
export const EVENTS_FILE = 'events.db';
export const READ_MODELS_FILE = 'read-models.db';

export const eventsPathIn = (dataDir: string) => join(dataDir, EVENTS_FILE);
export const readModelsPathIn = (dataDir: string) => join(dataDir, READ_MODELS_FILE);
