import { offerEventProblem } from '../catalog/offer/offer.event-shape';
import { walletEventProblem } from '../ledger/wallet/wallet.event-shape';
import { decode } from '../projections/engine/decode';
import type { ProjectedEvent } from '../projections/engine/projection';
import { messageOf } from '../shared/application/error-message';
import {
  AUDIT_RULES,
  type AuditedEvent,
  type AuditRule,
  type Finding,
  type Follower,
  violationAt,
  type Violation,
} from './audit-rules';
import { auditOfferEvent, newOfferAudit, type OfferAudit } from './offer-audit';
import { auditWalletEvent, newWalletAudit, type WalletAudit } from './wallet-audit';

export interface AuditOptions {
  /**
   * Whether positions count the events from 1 (the embedded store, which never deletes one), so
   * that a position with no event is one lost from the log. EventStoreDB's are byte offsets.
   */
  positionsCountEvents: boolean;
}

/** One stream as the audit keeps it: where its revisions stand, and its state. */
interface StreamAudit {
  /** The revision its next event must have. */
  next: bigint;
  /** Set at the event that could not be audited (unreadable, or after a gap): the rest is not. */
  stopped: boolean;
  wallet?: WalletAudit;
  offer?: OfferAudit;
}

export interface AuditSummary {
  events: number;
  wallets: number;
  offers: number;
  /** Streams of other categories (idempotency records, settings): their revisions are checked. */
  otherStreams: number;
  /** Streams whose audit stopped at an event it could not read or place, and their later events. */
  stoppedStreams: number;
  eventsNotAudited: number;
  /** Violations found, per rule. */
  byRule: Map<AuditRule, number>;
  violations: number;
}

/**
 * `ledger audit`'s core, pure: events of `$all` in, in order, violations of the ledger's rules
 * out. Each wallet and offer stream is folded with the command side's own evolve functions
 * (evolveWallet, evolveOffer), after the envelope and data checks its loads make (the projections'
 * decode, and walletEventProblem / offerEventProblem), and each event is checked against what the
 * deciders guarantee (docs/audit.md). Memory: one state per stream, and the event before.
 */
export class LedgerAudit {
  private readonly streams = new Map<string, StreamAudit>();
  /** The event read before this one from `$all`, as the second event of an append sees it. */
  private previous: AuditedEvent | null = null;
  /** What the next event must be, asked for by `previous`. */
  private awaited: { from: AuditedEvent; follower: Follower } | null = null;
  private lastPosition = 0n;
  private readonly summary: AuditSummary = {
    events: 0,
    wallets: 0,
    offers: 0,
    otherStreams: 0,
    stoppedStreams: 0,
    eventsNotAudited: 0,
    byRule: new Map(AUDIT_RULES.map((rule) => [rule, 0])),
    violations: 0,
  };

  constructor(private readonly options: AuditOptions) {}

  /** Audits the next event of `$all`; returns the violations found at it or, just now, before it. */
  audit(event: AuditedEvent): Violation[] {
    const found: Violation[] = [];
    this.summary.events++;
    const at = (finding: Finding) => found.push(violationAt(event, finding));
    if (this.options.positionsCountEvents && event.position > this.lastPosition + 1n) {
      const from = this.lastPosition + 1n;
      const to = event.position - 1n;
      at({
        rule: 'position-gap',
        message: `${from === to ? `position ${from} holds` : `positions ${from} to ${to} hold`} no event: ${to - from + 1n} missing from the log before this one`,
      });
    }
    if (event.position > this.lastPosition) this.lastPosition = event.position;
    const projected = decode(event, Number(event.position));
    const stream = this.streamOf(event.stream, projected.category);
    const checked = this.admit(stream, event, projected, at);
    const awaited = this.awaited;
    this.awaited = null;
    // An unreadable second half of an append is reported as such, not as missing too.
    const inItsPlace =
      awaited !== null &&
      awaited.from.stream === event.stream &&
      awaited.from.revision + 1n === event.revision;
    if (awaited && !(inItsPlace && (checked === null || awaited.follower.matches(event))))
      found.unshift(violationAt(awaited.from, awaited.follower.finding));
    if (checked !== null) this.check(stream, event, checked, at);
    this.previous = event;
    return this.counted(found);
  }

  /** Violations only the end of the log shows: an append whose second half never came. */
  finish(): Violation[] {
    const awaited = this.awaited;
    this.awaited = null;
    return this.counted(awaited ? [violationAt(awaited.from, awaited.follower.finding)] : []);
  }

  result(): AuditSummary {
    return { ...this.summary, byRule: new Map(this.summary.byRule) };
  }

  private counted(violations: Violation[]): Violation[] {
    for (const v of violations) {
      this.summary.byRule.set(v.rule, (this.summary.byRule.get(v.rule) ?? 0) + 1);
      this.summary.violations++;
    }
    return violations;
  }

  private streamOf(name: string, category: string): StreamAudit {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = { next: 0n, stopped: false };
      if (category === 'wallet') {
        this.summary.wallets++;
        stream.wallet = newWalletAudit();
      } else if (category === 'offer') {
        this.summary.offers++;
        stream.offer = newOfferAudit();
      } else this.summary.otherStreams++;
      this.streams.set(name, stream);
    }
    return stream;
  }

  /**
   * The event's revision and envelope, as the command side reads a stream (aggregate-store.ts)
   * and the projections an event (decode.ts). Returns the member its metadata names ('' outside
   * wallets) when the event can be folded, null when it cannot: the stream then stops here, as
   * the command side refuses to decide on it, rather than fold on into figures that would be
   * wrong (a debit without the credit before it).
   */
  private admit(
    stream: StreamAudit,
    event: AuditedEvent,
    projected: ProjectedEvent,
    at: (f: Finding) => void,
  ) {
    if (stream.stopped) {
      this.summary.eventsNotAudited++;
      return null;
    }
    const stop = (finding: Finding) => {
      at({ ...finding, message: `${finding.message}; the rest of this stream is not audited` });
      stream.stopped = true;
      this.summary.stoppedStreams++;
      return null;
    };
    if (event.revision !== stream.next) {
      const message =
        event.revision > stream.next
          ? `revision ${event.revision} comes after ${stream.next - 1n}: ${event.revision - stream.next} missing, or later in $all than it`
          : `revision ${event.revision} again, after ${stream.next - 1n}`;
      return stop({ rule: 'revision-gap', message });
    }
    stream.next++;
    const { category } = projected;
    if (category !== 'wallet' && category !== 'offer') return '';
    const problem =
      projected.invalid ??
      (category === 'wallet' ? walletEventProblem(event) : offerEventProblem(event));
    if (problem !== null)
      return stop({ rule: 'unreadable-event', message: `the fold cannot read it: ${problem}` });
    if (!event.stream.startsWith(`${category}-${projected.tenant}.`))
      at({
        rule: 'tenant-mismatch',
        message: `its metadata names tenant ${projected.tenant}, which is not the stream's`,
      });
    return projected.externalUserID ?? '';
  }

  /** The domain's rules; anything the fold itself throws on stops the stream, as unreadable. */
  private check(
    stream: StreamAudit,
    event: AuditedEvent,
    member: string,
    at: (f: Finding) => void,
  ) {
    try {
      if (stream.wallet) {
        const { findings, follower } = auditWalletEvent(
          stream.wallet,
          event,
          member,
          this.previous,
        );
        findings.forEach(at);
        if (follower) this.awaited = { from: event, follower };
      } else if (stream.offer) auditOfferEvent(stream.offer, event).forEach(at);
    } catch (error) {
      at({
        rule: 'unreadable-event',
        message: `the fold failed on it (${messageOf(error)}); the rest of this stream is not audited`,
      });
      stream.stopped = true;
      this.summary.stoppedStreams++;
    }
  }
}
