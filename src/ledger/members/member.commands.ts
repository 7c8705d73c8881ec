import { Injectable } from '@nestjs/common';
import { ExecutionResult } from '../../shared/application/command-executor';
import { CommandRequest, eventContext } from '../../shared/http/command-request';
import { Aggregates } from '../application/aggregates';
import { accepted, refusal } from '../application/decisions';
import { planWalletDecision } from '../application/stock-releases';
import { newTransactionId, walletStream } from '../streams';
import { UpsertMemberProfile, WalletCommand } from '../wallet/wallet.commands';
import { decideWalletOutcome } from '../wallet/wallet.decider';
import { walletOf, WalletState } from '../wallet/wallet.state';
import { memberSummaryView, walletView } from '../wallet/wallet.view';

/** The profile fields of an upsert: left out is unchanged, null clears. */
export type ProfileInput = Omit<UpsertMemberProfile['data'], 'externalUserID' | 'now'>;

/** Commands on one member's wallet that need no other aggregate: profile, archive, credit. */
@Injectable()
export class MemberCommands {
  constructor(private readonly aggregates: Aggregates) {}

  credit(
    req: CommandRequest,
    externalUserID: string,
    amount: number,
    reason: string | null,
  ): Promise<ExecutionResult> {
    const transactionId = newTransactionId();
    return this.onWallet(
      req,
      externalUserID,
      200,
      (now) => ({
        type: 'CreditPoints',
        data: { transactionId, amount, reason, now },
      }),
      (state) => {
        const { balance, currency } = walletView(walletOf(state));
        return { balance, currency };
      },
    );
  }

  upsertProfile(
    req: CommandRequest,
    externalUserID: string,
    profile: ProfileInput,
  ): Promise<ExecutionResult> {
    return this.onWallet(
      req,
      externalUserID,
      200,
      (now) => ({ type: 'UpsertMemberProfile', data: { externalUserID, ...profile, now } }),
      (state) => memberSummaryView(state, externalUserID),
    );
  }

  archive(
    req: CommandRequest,
    externalUserID: string,
    retainBalance: boolean,
  ): Promise<ExecutionResult> {
    const transactionId = newTransactionId();
    return this.onWallet(
      req,
      externalUserID,
      200,
      (now) => ({ type: 'ArchiveMember', data: { retainBalance, transactionId, now } }),
      (state) => ({
        externalUserID,
        archived: state.status === 'archived',
        balanceRetained: state.status === 'archived' && state.balanceRetained,
      }),
    );
  }

  /** Decide one wallet command on current state, append it, answer with a view of the new state. */
  private async onWallet(
    req: CommandRequest,
    externalUserID: string,
    status: number,
    command: (now: string) => WalletCommand,
    view: (state: WalletState) => unknown,
  ): Promise<ExecutionResult> {
    const { wallets, executor, memberRefs } = this.aggregates;
    const ref = await memberRefs.of(req.tenantKey, externalUserID);
    const stream = walletStream(req.tenantKey, ref);
    return executor.run(
      [stream],
      async ({ held, now }) => {
        const loaded = await wallets.load(stream);
        const { events, refused } = decideWalletOutcome(command(now), loaded.state);
        const context = eventContext(req, now, { externalUserID });
        if (events.length === 0)
          return refused
            ? refusal(refused, req.requestId)
            : accepted(status, view(loaded.state), []);
        // Holds the decision canceled (expired, or released by an archive) free their stock.
        const { state, appends } = await planWalletDecision(
          this.aggregates,
          req.tenantKey,
          stream,
          loaded,
          events,
          held,
          now,
          context,
        );
        // A refusal on a wallet whose holds expired still records them (decideWalletOutcome).
        if (refused) return refusal(refused, req.requestId, appends);
        return accepted(status, view(state), appends);
      },
      req.idempotency,
    );
  }
}
