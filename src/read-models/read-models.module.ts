import { Inject, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module';
import { AuthConfig } from '../auth/auth-config';
import { AUTH_CONFIG } from '../auth/authenticator';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ALL_PROJECTIONS, projectionNames } from '../projections/all-projections';
import { ProjectionEngine } from '../projections/engine/projection-engine';
import { ProjectionRunner } from '../projections/engine/projection-runner';
import { refusalFor, storeEnds } from '../projections/engine/store-identity';
import { openWriteSink } from '../projections/engine/write-sink';
import { ReadModelDb } from '../projections/read-model-db';
import { ReadModelsLock } from '../projections/read-models-lock';
import { DATA_DIR_LOCK } from '../config/data-dir-lock';
import { openOrRefuseStart } from '../config/start-refused';
import { canRunProjectionThread, ProjectionThread } from '../projections/thread/projection-thread';
import { AnalyticsController } from './analytics/analytics.controller';
import { AnalyticsQueries } from './analytics/analytics.queries';
import { OfferQueries } from './offers/offer.queries';
import { OffersReadController } from './offers/offers-read.controller';
import { RedemptionQueries } from './redemptions/redemption.queries';
import { RedemptionsReadController } from './redemptions/redemptions-read.controller';
import { CursorCodec } from './shared/cursor-codec';
import { Freshness } from './shared/freshness';
import { StoreCheck, VerifiedStoreGuard } from './shared/verified-store.guard';
import { READ_MODEL_DB } from './shared/tokens';
import { WalletReadController } from './wallet/wallet-read.controller';
import { WalletQueries } from './wallet/wallet.queries';
import { HoldSweeper } from './holds/hold-sweeper';
import { readModelsPathIn } from '../config/data-dir-files';

const logger = new Logger('ReadModels');

/** How long a start waits for the store to answer its check before leaving it to the engine. */
const STORE_CHECK_TIMEOUT_MS = 5_000;

/**
 * The read side: the projections (one engine, one subscription to $all) that keep
 * DATA_DIR/read-models.db, and the GET routes that answer from it. Every replica keeps its own
 * file, whichever event store it uses (docs/read-models.md).
 */
@Module({
  imports: [AuthModule],
  controllers: [
    RedemptionsReadController,
    OffersReadController,
    WalletReadController,
    AnalyticsController,
  ],
  providers: [
    {
      provide: READ_MODEL_DB,
      // The lock first: nothing opens the read models while a rebuild writes them.
      inject: [APP_CONFIG, DATA_DIR_LOCK],
      useFactory: (config: AppConfig) => {
        const path = readModelsPathIn(config.dataDir);
        const readModels = openOrRefuseStart(path, () => ReadModelDb.open({ path }));
        logger.log(
          `Read models are kept in sqlite at ${path}${readModels.resetAtOpen ? ' (new schema: rebuilding)' : ''}`,
        );
        if (readModels.corruptFileMovedTo)
          logger.warn(
            `The read models were corrupt: moved to ${readModels.corruptFileMovedTo}; replaying`,
          );
        if (readModels.restoreDroppedIndexes())
          logger.warn('Built the indexes that an interrupted rebuild had dropped');
        return readModels;
      },
    },
    {
      provide: ProjectionRunner,
      inject: [EVENT_STORE, READ_MODEL_DB],
      useFactory: (store: EventStore, readModels: ReadModelDb): ProjectionRunner => {
        const log = { error: (m: string) => logger.error(m), warn: (m: string) => logger.warn(m) };
        // The embedded store on a file: projections run on their own thread, off the request path.
        if (canRunProjectionThread(store, readModels))
          return new ProjectionThread(store, readModels, projectionNames(readModels.db), { log });
        return new ProjectionEngine(store, readModels, ALL_PROJECTIONS, {
          sink: openWriteSink(readModels.db, readModels.path),
          log,
        });
      },
    },
    Freshness,
    {
      provide: CursorCodec,
      inject: [AUTH_CONFIG],
      // Every replica that shares MEMBER_TOKEN_SECRET reads the cursors of the others.
      useFactory: (auth: AuthConfig) => new CursorCodec(auth.memberTokenSecret),
    },
    StoreCheck,
    { provide: APP_GUARD, useClass: VerifiedStoreGuard },
    RedemptionQueries,
    OfferQueries,
    WalletQueries,
    AnalyticsQueries,
    HoldSweeper,
  ],
  exports: [ProjectionRunner, HoldSweeper],
})
export class ReadModelsModule implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly engine: ProjectionRunner,
    @Inject(READ_MODEL_DB) private readonly readModels: ReadModelDb,
    @Inject(DATA_DIR_LOCK) private readonly lock: ReadModelsLock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly storeCheck: StoreCheck,
    private readonly holdSweeper: HoldSweeper,
  ) {}

  /**
   * Refuses to serve a store that lacks events the read models were built from (a wrong DATA_DIR,
   * a lost events.db): writes would fork the ledger. A store that cannot be read yet (EventStoreDB
   * down) is the engine's to retry: it makes the same check before it reads.
   */
  async onApplicationBootstrap(): Promise<void> {
    const unanswered = new Promise<undefined>((resolve) =>
      setTimeout(resolve, STORE_CHECK_TIMEOUT_MS, undefined).unref(),
    );
    const refusal = await Promise.race([
      storeEnds(this.store)
        .then((ends) => refusalFor(ends, this.readModels))
        .catch(() => undefined),
      unanswered,
    ]);
    if (refusal) throw new Error(refusal);
    // Unanswered (undefined): writes wait for the projections to make the check (VerifiedStoreGuard).
    this.storeCheck.passedAtStart = refusal === null;
    this.engine.start();
    this.holdSweeper.start();
  }

  /** Before the event store closes (its hook runs at application shutdown, after this one). */
  async onModuleDestroy(): Promise<void> {
    await this.holdSweeper.stop();
    await this.engine.stop();
    this.readModels.close();
    this.lock.release();
  }
}
