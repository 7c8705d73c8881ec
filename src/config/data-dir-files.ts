import { join } from 'node:path';

/**
 * The service's files in DATA_DIR: the events (on the embedded store), which are the truth, the read
 * models, and the webhook dispatcher's checkpoint and outbox (webhook-outbox.ts).
 */
export const EVENTS_FILE = 'events.db';
export const READ_MODELS_FILE = 'read-models.db';
export const WEBHOOKS_FILE = 'webhooks.db';

export const eventsPathIn = (dataDir: string) => join(dataDir, EVENTS_FILE);
export const readModelsPathIn = (dataDir: string) => join(dataDir, READ_MODELS_FILE);
export const webhooksPathIn = (dataDir: string) => join(dataDir, WEBHOOKS_FILE);
