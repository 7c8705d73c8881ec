import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { offerEventProblem } from '../../catalog/offer/offer.event-shape';
import { OfferEvent } from '../../catalog/offer/offer.events';
import { OfferState, evolveOffer, initialOfferState } from '../../catalog/offer/offer.state';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { AggregateStore } from '../../shared/application/aggregate-store';
import { CommandExecutor } from '../../shared/application/command-executor';
import { StateCache, Versioned } from '../../shared/application/state-cache';
import { MemberRefsOfStore } from '../member-refs';
import { walletEventProblem } from '../wallet/wallet.event-shape';
import { WalletEvent } from '../wallet/wallet.events';
import { WalletState, evolveWallet, initialWalletState } from '../wallet/wallet.state';
import { webhookEventProblem } from '../../webhooks/endpoint/webhook.event-shape';
import { WebhookEvent } from '../../webhooks/endpoint/webhook.events';
import {
  WebhooksState,
  evolveWebhooks,
  initialWebhooksState,
} from '../../webhooks/endpoint/webhook.state';

/** The aggregates of the command side, loaded through one state cache, and the executor that writes them. */
@Injectable()
export class Aggregates {
  readonly cache: StateCache;
  readonly wallets: AggregateStore<WalletState, WalletEvent>;
  readonly offers: AggregateStore<OfferState, OfferEvent>;
  /** A tenant's webhook registrations, one stream per organization and environment. */
  readonly webhooks: AggregateStore<WebhooksState, WebhookEvent>;
  readonly executor: CommandExecutor;
  /** How members' wallet streams and redemption ids are named in this store. */
  readonly memberRefs: MemberRefsOfStore;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    // Optional for specs that build the command side without the app; the cache then has its default.
    @Inject(APP_CONFIG) config?: Pick<AppConfig, 'stateCacheSize'>,
  ) {
    this.cache = new StateCache(config?.stateCacheSize);
    this.wallets = new AggregateStore(
      store,
      this.cache,
      evolveWallet,
      initialWalletState,
      walletEventProblem,
    );
    this.offers = new AggregateStore(
      store,
      this.cache,
      evolveOffer,
      initialOfferState,
      offerEventProblem,
    );
    this.webhooks = new AggregateStore(
      store,
      this.cache,
      evolveWebhooks,
      initialWebhooksState,
      webhookEventProblem,
    );
    this.executor = new CommandExecutor(store, this.cache);
    this.memberRefs = new MemberRefsOfStore(store);
  }

  /**
   * An offer as the store holds it now. Appended one by one (EventStoreDB), other replicas write
   * too, and a decision that reads an offer without appending on its revision (a redemption of an
   * offer it does not lock, the release of a hold's stock planned from it) must not trust a cached
   * state; on the embedded store only this process writes, and the cache is the store.
   */
  offerAsWritten(stream: string): Promise<Versioned<OfferState>> {
    return this.executor.appendsAtomically
      ? this.offers.load(stream)
      : this.offers.loadFresh(stream);
  }
}
