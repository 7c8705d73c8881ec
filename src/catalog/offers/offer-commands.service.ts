import { Injectable } from '@nestjs/common';
import { Aggregates } from '../../ledger/application/aggregates';
import { accepted, isDomainError, refusal } from '../../ledger/application/decisions';
import { newOfferId, offerStream } from '../../ledger/streams';
import { ExecutionResult } from '../../shared/application/command-executor';
import { DomainError } from '../../shared/domain/domain-error';
import { CommandRequest, eventContext } from '../../shared/http/command-request';
import { CreateOffer, OfferCommand } from '../offer/offer.commands';
import { decideOffer } from '../offer/offer.decider';
import { OfferDefinition } from '../offer/offer.events';
import { offerView } from '../offer/offer.view';

export type CreateOfferInput = Omit<CreateOffer['data'], 'offerId' | 'now'>;

/** The catalog's write side: an organization creates and changes its offers. */
@Injectable()
export class OfferCommands {
  constructor(private readonly aggregates: Aggregates) {}

  create(req: CommandRequest, input: CreateOfferInput, id?: string): Promise<ExecutionResult> {
    const offerId = id ?? newOfferId();
    return this.onOffer(req, offerId, 201, (now) => ({
      type: 'CreateOffer',
      data: { ...input, offerId, now },
    }));
  }

  update(
    req: CommandRequest,
    offerId: string,
    patch: Partial<OfferDefinition>,
  ): Promise<ExecutionResult> {
    return this.onOffer(req, offerId, 200, (now) => ({
      type: 'UpdateOffer',
      data: { patch, now },
    }));
  }

  private onOffer(
    req: CommandRequest,
    offerId: string,
    status: number,
    commandAt: (now: string) => OfferCommand,
  ): Promise<ExecutionResult> {
    const { offers, executor } = this.aggregates;
    const stream = offerStream(req.tenantKey, offerId);
    return executor.run(
      [stream],
      async ({ now }) => {
        const loaded = await offers.load(stream);
        const command = commandAt(now);
        if (command.type === 'UpdateOffer' && loaded.state.status === 'absent') {
          return refusal(new DomainError('NOT_FOUND', `Offer ${offerId} not found`), req.requestId);
        }
        const events = decideOffer(command, loaded.state);
        if (isDomainError(events)) return refusal(events, req.requestId);
        const planned =
          events.length > 0
            ? offers.plan(stream, loaded, events, eventContext(req, now))
            : undefined;
        const next = planned?.state ?? loaded.state;
        if (next.status === 'absent')
          throw new Error(`Offer ${offerId} absent after its own decision`);
        return accepted(status, offerView(next), planned ? [planned] : []);
      },
      req.idempotency,
    );
  }
}
