/** DI tokens of the read side. */
export const READ_MODEL_DB = Symbol('READ_MODEL_DB');

/** How long a read waits for the projections to reach the store's head before a 503. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5000;
