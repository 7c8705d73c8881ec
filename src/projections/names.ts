/** Projection names: checkpoint rows, /health, and what each read waits for. */
export const WALLETS = 'wallets';
export const TRANSACTIONS = 'transactions';
export const REDEMPTIONS = 'redemptions';
export const OFFERS = 'offers';
export const ANALYTICS = 'analytics';
