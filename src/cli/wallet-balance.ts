import { ORG_ID_PATTERN } from '../auth/org-keys';
import { parseTenantKey, tenantKey } from '../auth/tenancy';
import { StreamUnreadableError } from '../event-store/event-store.errors';
import type { RecordedEvent } from '../event-store/event-store.port';
import { recordedMemberRefs } from '../ledger/member-refs';
import { walletStream } from '../ledger/streams';
import { walletEventProblem } from '../ledger/wallet/wallet.event-shape';
import type { WalletEvent } from '../ledger/wallet/wallet.events';
import { evolveWallet, initialWalletState, walletOf } from '../ledger/wallet/wallet.state';
import { walletView } from '../ledger/wallet/wallet.view';
import { foldableEvent, revisionMissing } from '../shared/application/aggregate-store';
import { isExternalUserID, EXTERNAL_USER_ID_RULE } from '../shared/domain/external-user-id';
import { compareInstants, isIsoInstant } from '../shared/domain/values';
import { namingDamage } from './data-files';
import type { EventsReading } from './ledger';

/** Events read from the member's stream at a time: a long history is not held whole. */
const PAGE = 1_000;

/** The exit code of a bad argument: a --position the store has not reached. */
const PAST_THE_HEAD = 2;

export interface BalanceArguments {
  tenant: string;
  externalUserID: string;
  /** The events whose metadata.occurredAt is at or before this ISO instant. */
  at?: string;
  /** The events at or before this position of `$all`. */
  position?: bigint;
}

/** `--tenant`, `--member`, and `--at` or `--position`; a string says what is wrong. */
export function balanceArguments(args: readonly string[]): BalanceArguments | string {
  const given = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (!['--tenant', '--member', '--at', '--position'].includes(name))
      return `balance does not take '${name}'`;
    if (value === undefined) return `balance ${name} needs a value`;
    if (given.has(name)) return `balance takes ${name} once`;
    given.set(name, value);
  }
  const tenantText = given.get('--tenant');
  const member = given.get('--member');
  const at = given.get('--at');
  const position = given.get('--position');
  if (tenantText === undefined) return 'balance needs --tenant <environment>.<orgId>';
  const tenant = parseTenantKey(tenantText);
  if (!tenant || !ORG_ID_PATTERN.test(tenant.orgId))
    return `balance --tenant takes <environment>.<orgId>, environment sandbox or live, not '${tenantText}'`;
  if (member === undefined) return 'balance needs --member <externalUserID>';
  if (!isExternalUserID(member))
    return `balance --member takes an externalUserID of ${EXTERNAL_USER_ID_RULE}, not ${JSON.stringify(member)}`;
  if (at !== undefined && position !== undefined)
    return 'balance takes --at or --position, not both';
  const parsed: BalanceArguments = { tenant: tenantKey(tenant), externalUserID: member };
  if (at !== undefined) {
    if (!isIsoInstant(at))
      return `balance --at takes an ISO 8601 instant with a zone (2024-01-15T10:30:00Z), not '${at}'`;
    parsed.at = at;
  }
  if (position !== undefined) {
    if (!/^\d+$/.test(position))
      return `balance --position takes a position (digits), not '${position}'`;
    parsed.position = BigInt(position);
  }
  return parsed;
}

export interface WalletBalanceOptions extends BalanceArguments, EventsReading {}

/**
 * Whether `event` is past the point asked for. With `at`, an event whose occurredAt is not an
 * instant cannot be placed before or after it, and is named as one the fold cannot read.
 */
function pastThePoint(event: RecordedEvent, options: BalanceArguments): boolean {
  if (options.position !== undefined) return event.position > options.position;
  if (options.at === undefined) return false;
  const { occurredAt } = event.metadata;
  if (!isIsoInstant(occurredAt))
    throw new StreamUnreadableError(
      event.stream,
      event.revision,
      event.position,
      `its metadata.occurredAt is ${JSON.stringify(occurredAt) ?? 'missing'}, not an ISO instant: it cannot be placed before or after --at`,
    );
  return compareInstants(occurredAt, options.at) > 0;
}

/**
 * A page of the stream from revision `from`. The store refuses a whole page for one event it cannot
 * read: the page then ends before that event, which comes apart (its stream, revision, position
 * and why), so that a point before it can still be answered.
 */
async function readPage(
  store: EventsReading['store'],
  stream: string,
  from: bigint,
): Promise<{ page: RecordedEvent[]; unreadable?: StreamUnreadableError }> {
  try {
    return { page: await store.readStream(stream, { fromRevision: from, maxCount: PAGE }) };
  } catch (error) {
    if (!(error instanceof StreamUnreadableError) || error.revision < from) throw error;
    const before = Number(error.revision - from);
    const page =
      before === 0 ? [] : await store.readStream(stream, { fromRevision: from, maxCount: before });
    return { page, unreadable: error };
  }
}

/**
 * `ledger balance`: the member's wallet as it stood at a point, by folding the member's own wallet
 * stream with the command side's evolveWallet, from its first event to the last one at or before
 * the point (an instant of metadata.occurredAt, a position of `$all`, or the stream's end). The
 * fold stops at the first event past the point: what it folds is always a prefix of the stream,
 * as the command side once held it. Reads only that stream (and the store's member-ref scheme);
 * writes nothing. Exit 0 with the figures; 1, naming it, on an event it cannot fold.
 */
export async function walletBalance(options: WalletBalanceOptions): Promise<number> {
  const { store, io, tenant, externalUserID } = options;
  let refs;
  try {
    refs = await recordedMemberRefs(store);
    // A position not written yet has no balance: answered now, it would change later.
    const { position } = options;
    if (position !== undefined) {
      const head = await store.headPosition();
      if (position > head) {
        io.err.write(
          `ledger: balance --position ${position} is past the head of $all (${head}): no balance stands there yet\n`,
        );
        return PAST_THE_HEAD;
      }
    }
  } catch (error) {
    throw namingDamage(options.eventsPath, error);
  }
  const stream = walletStream(tenant, refs.of(tenant, externalUserID));
  let state = initialWalletState;
  let last: RecordedEvent | undefined;
  let events = 0;
  try {
    let from = 0n;
    reading: for (;;) {
      const { page, unreadable } = await readPage(store, stream, from);
      for (const event of page) {
        if (event.revision !== from) throw revisionMissing(event, from);
        if (pastThePoint(event, options)) break reading;
        state = evolveWallet(state, foldableEvent<WalletEvent>(event, walletEventProblem));
        last = event;
        events++;
        from++;
      }
      if (unreadable) {
        // Its position is known without its body: past a --position, the fold is whole without it.
        if (options.position !== undefined && unreadable.position > options.position) break;
        throw unreadable;
      }
      if (page.length < PAGE) break;
    }
  } catch (error) {
    if (!(error instanceof StreamUnreadableError)) throw namingDamage(options.eventsPath, error);
    io.err.write(
      `ledger: cannot fold the event of ${error.stream} at revision ${error.revision} (position ${error.position}): ${error.reason}. No figures: a balance folded past it would be wrong\n`,
    );
    return 1;
  }
  const view = walletView(walletOf(state));
  const answer = {
    tenant,
    externalUserID,
    ...(options.at === undefined ? {} : { at: options.at }),
    ...(options.position === undefined ? {} : { position: String(options.position) }),
    balance: view.balance,
    amountReceived: view.amountReceived,
    amountSpent: view.amountSpent,
    refunded: view.refunded,
    pending: view.pending,
    available: view.available,
    events,
    lastPosition: last === undefined ? null : String(last.position),
    lastRevision: last === undefined ? null : String(last.revision),
  };
  io.out.write(`${JSON.stringify(answer)}\n`);
  return 0;
}
