import { Inject, Injectable, Logger } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { RedemptionCommands } from '../../ledger/redemptions/redemption.commands';
import { memberRefOfRedemption } from '../../ledger/streams';
import { messageOf } from '../../shared/application/error-message';
import type { ReadModelDb } from '../../projections/read-model-db';
import { READ_MODEL_DB } from '../shared/tokens';

/** Expired holds, and stock left reserved, read per sweep: the oldest first, the rest on the next. */
const BATCH = 500;

/**
 * How long a canceled redemption's stock may stay reserved before the sweeper gives it back: the
 * time the release of a cancel that is still under way (one append after the cancel's) takes to
 * be written and projected. Releasing it earlier would be no error, only a conflict for that cancel.
 */
export const LEFT_STOCK_GRACE_MS = 60_000;

/** What one sweep released. */
export interface Sweep {
  holds: number;
  /** Canceled redemptions whose stock went back to their offers. */
  stock: number;
}

/**
 * Releases the holds past their expiresAt that no command has released yet (a wallet that takes
 * any command releases its own first: wallet.decider.ts). It finds them through rm_holds'
 * expiry index, never a scan, and releases each wallet's through the command side, deciding on
 * its current state: a hold released meanwhile, or a conflict with another writer, is no error.
 * Then it gives back the stock that canceled redemptions still hold (rm_stock_left, by its
 * cancel index): a release lost after its cancel where the two are separate appends.
 * Every HOLD_SWEEP_INTERVAL_MS (0: never); tests call sweepOnce with their own clock.
 */
@Injectable()
export class HoldSweeper {
  private readonly logger = new Logger('HoldSweeper');
  private readonly expired: Database.Statement;
  private readonly leftStock: Database.Statement;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(READ_MODEL_DB) readModels: ReadModelDb,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'holdSweepIntervalMs'>,
    private readonly redemptions: RedemptionCommands,
  ) {
    this.expired = readModels.db.prepare(
      `SELECT tenant, redemption_id AS id FROM rm_holds WHERE expires_ms <= ?
       ORDER BY expires_ms LIMIT ${BATCH}`,
    );
    this.leftStock = readModels.db.prepare(
      `SELECT tenant, redemption_id AS id, offer_id AS offerId FROM rm_stock_left
       WHERE released = 0 AND canceled_ms <= ? ORDER BY canceled_ms LIMIT ${BATCH}`,
    );
  }

  start(): void {
    const every = this.config.holdSweepIntervalMs;
    if (every === 0 || this.timer !== undefined || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.sweeping !== undefined) return;
      this.sweeping = this.sweepOnce(new Date())
        .catch((error) => {
          this.logger.warn(`A sweep of expired holds and left stock failed: ${messageOf(error)}`);
        })
        .finally(() => (this.sweeping = undefined));
    }, every);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way: the read models close next. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Releases the holds expired at `now`, then the stock canceled redemptions left reserved. */
  async sweepOnce(now: Date): Promise<Sweep> {
    const holds = await this.releaseExpiredHolds(now);
    return { holds, stock: await this.releaseLeftStock(now) };
  }

  private async releaseExpiredHolds(now: Date): Promise<number> {
    const rows = this.expired.all(now.getTime()) as Array<{ tenant: string; id: string }>;
    const wallets = new Map<string, { tenant: string; ref: string }>();
    for (const { tenant, id } of rows) {
      const ref = memberRefOfRedemption(id);
      if (ref !== null) wallets.set(`${tenant}\u0000${ref}`, { tenant, ref });
    }
    let released = 0;
    for (const { tenant, ref } of wallets.values()) {
      if (this.stopped) break;
      try {
        released += await this.redemptions.expireHolds(tenant, ref, now.toISOString());
      } catch (error) {
        // Contention or a store hiccup: the hold stays in rm_holds for the next sweep.
        this.logger.warn(`Expired holds of ${tenant}/${ref} not released: ${messageOf(error)}`);
      }
    }
    return released;
  }

  private async releaseLeftStock(now: Date): Promise<number> {
    const before = now.getTime() - LEFT_STOCK_GRACE_MS;
    const rows = this.leftStock.all(before) as Array<{
      tenant: string;
      id: string;
      offerId: string;
    }>;
    let released = 0;
    for (const { tenant, id, offerId } of rows) {
      if (this.stopped) break;
      try {
        if ((await this.redemptions.releaseLeftStock(tenant, id, offerId)) === 0) continue;
        released++;
        // Worth an operator's eye: a release was lost (docs/operations.md, Watching it).
        this.logger.warn(`Gave back the stock canceled redemption ${tenant}/${id} still held`);
      } catch (error) {
        // The row stays in rm_stock_left for the next sweep.
        this.logger.warn(`Stock of canceled ${tenant}/${id} not released: ${messageOf(error)}`);
      }
    }
    return released;
  }
}
