import { AUDIT_RULES, type AuditRule, type Violation } from '../audit/audit-rules';
import { type AuditSummary, LedgerAudit } from '../audit/ledger-audit';
import type { EventsReading } from './ledger';
import { visitAllWithProgress } from './read-all-pages';

/** Lines printed per rule: a store broken throughout must not flood a terminal. */
export const SHOWN_PER_RULE = 100;

/** Only these categories' bodies are read: the rest (idempotency records) are audited by revision. */
const BODIES = { streamNamePrefixes: ['wallet', 'offer'] };

export interface AuditEventsOptions extends EventsReading {
  /** Whether positions count events (the embedded store) or are byte offsets (EventStoreDB). */
  positionsCountEvents: boolean;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const violationLine = (v: Violation) =>
  `${v.rule} ${v.stream} revision ${v.revision} position ${v.position}: ${v.message}\n`;

/**
 * `ledger audit`: reads `$all` once, from its first event to the head found at the start, and
 * prints each violation of the ledger's rules (LedgerAudit) as it finds it, at most
 * SHOWN_PER_RULE per rule, then a summary that counts them all. Only reads: safe beside a
 * running service, and it takes no lock. Exit 0: none; 1: some.
 */
export async function auditEvents(options: AuditEventsOptions): Promise<number> {
  const { store, io } = options;
  const head = await store.headPosition();
  const audit = new LedgerAudit({ positionsCountEvents: options.positionsCountEvents });
  const shown = new Map<AuditRule, number>();
  const print = (violations: Violation[]) => {
    for (const v of violations) {
      const count = (shown.get(v.rule) ?? 0) + 1;
      shown.set(v.rule, count);
      if (count <= SHOWN_PER_RULE) io.out.write(violationLine(v));
    }
  };
  io.err.write(`Auditing the events up to position ${head}\n`);
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const events = await visitAllWithProgress(
    options,
    head,
    (event) => print(audit.audit(event)),
    BODIES,
  );
  print(audit.finish());
  const seconds = elapsed();
  io.err.write(
    `Read ${fmt(events)} events in ${seconds.toFixed(2)} s (${fmt(seconds > 0 ? events / seconds : 0)} events/s)\n`,
  );
  const summary = audit.result();
  for (const rule of AUDIT_RULES) {
    const more = (summary.byRule.get(rule) ?? 0) - SHOWN_PER_RULE;
    if (more > 0) io.out.write(`${rule}: ${fmt(more)} more not shown\n`);
  }
  io.out.write(`${summaryLine(summary, head)}\n`);
  return summary.violations === 0 ? 0 : 1;
}

function summaryLine(s: AuditSummary, head: bigint): string {
  const plural = (n: number, one: string, many: string) => `${fmt(n)} ${n === 1 ? one : many}`;
  if (s.events === 0) return 'Audited 0 events: the event store holds none';
  const read =
    `Audited ${plural(s.events, 'event', 'events')} up to position ${head} ` +
    `(${plural(s.wallets, 'wallet', 'wallets')}, ${plural(s.offers, 'offer', 'offers')}, ` +
    `${plural(s.otherStreams, 'other stream', 'other streams')})`;
  const stopped =
    s.stoppedStreams === 0
      ? ''
      : `; ${plural(s.stoppedStreams, 'stream was', 'streams were')} not audited past the event that stopped it (${plural(s.eventsNotAudited, 'event', 'events')} left out)`;
  if (s.violations === 0) return `${read}: no violations${stopped}`;
  const rules = AUDIT_RULES.filter((rule) => (s.byRule.get(rule) ?? 0) > 0)
    .map((rule) => `${rule} ${fmt(s.byRule.get(rule) ?? 0)}`)
    .join(', ');
  return `${read}: ${plural(s.violations, 'violation', 'violations')} (${rules})${stopped}`;
}
