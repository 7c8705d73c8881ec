import Database from 'better-sqlite3';
import { makePrivateFile } from '../../infrastructure/private-files';
import { migrate, Migration } from '../../infrastructure/sqlite/migrations';
import { openDatabase } from '../../infrastructure/sqlite/open-database';

/**
 * Append-only, as the other schemas. Not derived data to drop and replay like the read models:
 * a replay would send every event since each registration again. Positions are decimal text,
 * since EventStoreDB's commit positions pass 2^53.
 */
export const WEBHOOK_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'webhook outbox',
    sql: `
      CREATE TABLE wh_checkpoint (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        position TEXT NOT NULL
      );
      CREATE TABLE wh_endpoints (
        tenant  TEXT NOT NULL,
        id      TEXT NOT NULL,
        url     TEXT NOT NULL,
        events  TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, id)
      ) WITHOUT ROWID;
      CREATE TABLE wh_deliveries (
        id              TEXT PRIMARY KEY,
        tenant          TEXT NOT NULL,
        webhook_id      TEXT NOT NULL,
        event_id        TEXT NOT NULL,
        event_type      TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error      TEXT,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL
      );
      CREATE INDEX wh_deliveries_due ON wh_deliveries (status, next_attempt_at);
      CREATE INDEX wh_deliveries_by_webhook ON wh_deliveries (tenant, webhook_id, created_at);
    `,
  },
  {
    version: 2,
    name: 'deliveries sent again on request',
    // 1 while a finished delivery is sent again (POST .../resend): one attempt, no schedule.
    sql: `ALTER TABLE wh_deliveries ADD COLUMN resend INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 3,
    name: 'signing secret versions',
    // The version deliveries are signed with, and when it replaced the one before (epoch ms).
    sql: `
      ALTER TABLE wh_endpoints ADD COLUMN secret_version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE wh_endpoints ADD COLUMN rotated_at INTEGER;
    `,
  },
  {
    version: 4,
    name: 'due deliveries by webhook',
    // Each webhook's due deliveries, oldest first (rowid last, in creation order), so that the
    // deliverer takes a few of each webhook's in turn: one stuck receiver no longer fills every
    // request slot while other webhooks' deliveries wait behind its backlog.
    sql: `
      CREATE INDEX wh_deliveries_due_by_webhook
        ON wh_deliveries (status, tenant, webhook_id, next_attempt_at);
    `,
  },
  {
    version: 5,
    name: 'finished deliveries by age',
    // The prune found the finished deliveries older than a week by walking every delivery: a
    // week's worth at a busy rate is millions of rows, walked on the request thread each hour.
    sql: `
      CREATE INDEX wh_deliveries_finished ON wh_deliveries (updated_at) WHERE status != 'pending';
    `,
  },
];

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'canceled';

export interface DeliveryRow {
  id: string;
  tenant: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  /** 1 while a finished delivery is sent again on request. */
  resend: number;
}

export interface EndpointRow {
  url: string;
  events: string[];
  /** The secret version deliveries are signed with (1 until a rotation). */
  secretVersion: number;
  /** When the current version replaced the previous one (epoch ms); null before any rotation. */
  rotatedAt: number | null;
}

/** A webhook with pending deliveries, and when the first of them is due (epoch ms). */
export interface DueWebhook {
  tenant: string;
  webhookId: string;
  at: number;
}

/** One webhook of one tenant, as a map key. */
export const webhookKey = (tenant: string, webhookId: string) => `${tenant}\n${webhookId}`;

export interface NewDelivery {
  id: string;
  tenant: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  body: string;
}

/** The webhooks' SQLite file and the statements the dispatcher and the deliverer run on it. */
export class WebhookOutbox {
  private readonly statements;
  /** The live registrations by tenant, read once: the dispatcher asks for each event it reads. */
  private active?: Map<string, Array<{ id: string; events: string[] }>>;
  /**
   * The webhooks with pending deliveries by when their first is due, read once and kept by every
   * write that makes a delivery due (enqueue, resend, retry). An `at` may be early, never late:
   * an early one costs one look at the webhook's deliveries, after which it is set right.
   */
  private dueAt?: Map<string, DueWebhook>;

  private constructor(readonly db: Database.Database) {
    this.statements = {
      checkpoint: db.prepare('SELECT position FROM wh_checkpoint WHERE id = 1').pluck(),
      setCheckpoint: db.prepare(
        'INSERT INTO wh_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
      ),
      register: db.prepare(
        'INSERT OR REPLACE INTO wh_endpoints (tenant, id, url, events, deleted, secret_version, rotated_at) VALUES (?, ?, ?, ?, 0, 1, NULL)',
      ),
      rotate: db.prepare(
        'UPDATE wh_endpoints SET secret_version = ?, rotated_at = ? WHERE tenant = ? AND id = ?',
      ),
      markDeleted: db.prepare('UPDATE wh_endpoints SET deleted = 1 WHERE tenant = ? AND id = ?'),
      cancelPending: db.prepare(
        "UPDATE wh_deliveries SET status = 'canceled', next_attempt_at = NULL, updated_at = ? WHERE tenant = ? AND webhook_id = ? AND status = 'pending'",
      ),
      active: db.prepare('SELECT tenant, id, events FROM wh_endpoints WHERE deleted = 0'),
      endpoint: db.prepare(
        'SELECT url, events, secret_version, rotated_at FROM wh_endpoints WHERE tenant = ? AND id = ? AND deleted = 0',
      ),
      enqueue: db.prepare(
        "INSERT OR IGNORE INTO wh_deliveries (id, tenant, webhook_id, event_id, event_type, body, status, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
      ),
      dueOf: db.prepare(
        "SELECT * FROM wh_deliveries WHERE status = 'pending' AND tenant = ? AND webhook_id = ? AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT ?",
      ),
      nextDueOf: db
        .prepare(
          "SELECT min(next_attempt_at) FROM wh_deliveries WHERE status = 'pending' AND tenant = ? AND webhook_id = ? AND next_attempt_at > ?",
        )
        .pluck(),
      pendingWebhooks: db.prepare(
        "SELECT tenant, webhook_id AS webhookId, min(next_attempt_at) AS at FROM wh_deliveries WHERE status = 'pending' GROUP BY tenant, webhook_id",
      ),
      // An attempt that ends after its webhook was deleted counts, but leaves the delivery
      // CANCELED, with no next attempt: only a 2xx, which did reach the receiver, says DELIVERED.
      finish: db.prepare(
        "UPDATE wh_deliveries SET status = CASE WHEN status = 'canceled' AND @status != 'delivered' THEN status ELSE @status END, attempts = attempts + 1, next_attempt_at = NULL, last_error = @error, resend = 0, updated_at = @now WHERE id = @id",
      ),
      retry: db.prepare(
        "UPDATE wh_deliveries SET attempts = attempts + 1, next_attempt_at = CASE status WHEN 'pending' THEN ? END, last_error = ?, updated_at = ? WHERE id = ?",
      ),
      // A pending delivery is only brought forward, keeping what it was (on its schedule, or sent
      // again on request); a finished one is sent once more.
      resend: db.prepare(
        "UPDATE wh_deliveries SET status = 'pending', next_attempt_at = ?, resend = CASE status WHEN 'pending' THEN resend ELSE 1 END, updated_at = ? WHERE tenant = ? AND webhook_id = ? AND id = ? AND status != 'canceled'",
      ),
      holds: db
        .prepare('SELECT 1 FROM wh_deliveries WHERE tenant = ? AND webhook_id = ? AND id = ?')
        .pluck(),
      cancel: db.prepare(
        "UPDATE wh_deliveries SET status = 'canceled', next_attempt_at = NULL, updated_at = ? WHERE id = ?",
      ),
      prune: db.prepare(
        `DELETE FROM wh_deliveries WHERE rowid IN (SELECT rowid FROM wh_deliveries
           WHERE status != 'pending' AND updated_at < ? LIMIT ?)`,
      ),
      pendingCount: db
        .prepare("SELECT count(*) FROM wh_deliveries WHERE status = 'pending'")
        .pluck(),
      ofWebhook: db.prepare(
        'SELECT * FROM wh_deliveries WHERE tenant = ? AND webhook_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
      ),
    };
  }

  static open(path: string): WebhookOutbox {
    if (path !== ':memory:') makePrivateFile(path);
    return openDatabase(path, {}, (db) => {
      db.pragma('journal_mode = WAL');
      // Derived from the events, and written in one transaction with the checkpoint: a commit lost
      // to a power cut takes its checkpoint with it, and the dispatcher goes over those events
      // again (a message id is enqueued once), so no fsync per commit on the request thread.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      migrate(db, WEBHOOK_MIGRATIONS, 'wh_schema_migrations');
      return new WebhookOutbox(db);
    });
  }

  /** The position of the last event of $all the dispatcher went past, or null before the first. */
  checkpoint(): bigint | null {
    const position = this.statements.checkpoint.get() as string | undefined;
    return position === undefined ? null : BigInt(position);
  }

  setCheckpoint(position: bigint): void {
    this.statements.setCheckpoint.run(position.toString());
  }

  register(tenant: string, id: string, url: string, events: readonly string[]): void {
    this.statements.register.run(tenant, id, url, JSON.stringify(events));
    this.active = undefined; // read again, also if the transaction rolls back
  }

  /** The registration stops: no new deliveries, and those still pending are dropped. */
  delete(tenant: string, id: string, nowMs: number): void {
    this.statements.markDeleted.run(tenant, id);
    this.statements.cancelPending.run(nowMs, tenant, id);
    this.active = undefined;
  }

  activeOf(tenant: string): ReadonlyArray<{ id: string; events: string[] }> {
    return this.activeByTenant().get(tenant) ?? [];
  }

  /** The tenants with at least one live registration. */
  activeTenants(): string[] {
    return [...this.activeByTenant().keys()];
  }

  private activeByTenant(): Map<string, Array<{ id: string; events: string[] }>> {
    if (this.active) return this.active;
    const rows = this.statements.active.all() as Array<{
      tenant: string;
      id: string;
      events: string;
    }>;
    const active = new Map<string, Array<{ id: string; events: string[] }>>();
    for (const r of rows) {
      const endpoints = active.get(r.tenant) ?? [];
      endpoints.push({ id: r.id, events: JSON.parse(r.events) as string[] });
      active.set(r.tenant, endpoints);
    }
    return (this.active = active);
  }

  endpoint(tenant: string, id: string): EndpointRow | undefined {
    const row = this.statements.endpoint.get(tenant, id) as
      | { url: string; events: string; secret_version: number; rotated_at: number | null }
      | undefined;
    return (
      row && {
        url: row.url,
        events: JSON.parse(row.events) as string[],
        secretVersion: row.secret_version,
        rotatedAt: row.rotated_at,
      }
    );
  }

  /** Deliveries from now on are signed with `version`, and with the one before for a while. */
  rotate(tenant: string, id: string, version: number, rotatedAtMs: number): void {
    this.statements.rotate.run(version, rotatedAtMs, tenant, id);
  }

  /** Once per message id: the dispatcher going over an event again adds nothing. */
  enqueue(d: NewDelivery, nowMs: number): void {
    const added = this.statements.enqueue.run(
      d.id,
      d.tenant,
      d.webhookId,
      d.eventId,
      d.eventType,
      d.body,
      nowMs,
      nowMs,
      nowMs,
    );
    if (added.changes > 0) this.dueBy(d.tenant, d.webhookId, nowMs);
  }

  /** The webhooks with a delivery due at `nowMs`, the one due longest first. */
  dueWebhooks(nowMs: number): DueWebhook[] {
    return [...this.dueMap().values()].filter((w) => w.at <= nowMs).sort((a, b) => a.at - b.at);
  }

  /**
   * Up to `limit` of the webhook's deliveries due at `nowMs`, oldest first (those under way
   * included: they stay pending until their attempt ends). Fewer than `limit` are all it has due,
   * so the webhook is next due when its first later delivery is.
   */
  dueOf(webhook: DueWebhook, nowMs: number, limit: number): DeliveryRow[] {
    const { tenant, webhookId } = webhook;
    const rows = this.statements.dueOf.all(tenant, webhookId, nowMs, limit) as DeliveryRow[];
    if (rows.length < limit) {
      const next = this.statements.nextDueOf.get(tenant, webhookId, nowMs) as number | null;
      if (next === null) this.dueMap().delete(webhookKey(tenant, webhookId));
      else webhook.at = next;
    }
    return rows;
  }

  private dueMap(): Map<string, DueWebhook> {
    if (this.dueAt) return this.dueAt;
    const rows = this.statements.pendingWebhooks.all() as DueWebhook[];
    return (this.dueAt = new Map(rows.map((w) => [webhookKey(w.tenant, w.webhookId), w])));
  }

  /** The webhook may have a delivery due at `at` (an early guess costs one look). */
  dueBy(tenant: string, webhookId: string, at: number): void {
    const due = this.dueMap();
    const key = webhookKey(tenant, webhookId);
    const known = due.get(key);
    if (!known) due.set(key, { tenant, webhookId, at });
    else if (at < known.at) known.at = at;
  }

  delivered(id: string, nowMs: number): void {
    this.statements.finish.run({ status: 'delivered', error: null, now: nowMs, id });
  }

  gaveUp(id: string, error: string, nowMs: number): void {
    this.statements.finish.run({ status: 'failed', error, now: nowMs, id });
  }

  retryAt(row: DeliveryRow, at: number, error: string, nowMs: number): void {
    this.statements.retry.run(at, error, nowMs, row.id);
    this.dueBy(row.tenant, row.webhook_id, at);
  }

  /** Makes a webhook's delivery due at `nowMs`; false when it has none by that id to send. */
  resend(tenant: string, webhookId: string, id: string, nowMs: number): boolean {
    const made = this.statements.resend.run(nowMs, nowMs, tenant, webhookId, id).changes > 0;
    if (made) this.dueBy(tenant, webhookId, nowMs);
    return made;
  }

  /** Whether the webhook has a delivery by that id (finished ones are kept 7 days). */
  holds(tenant: string, webhookId: string, id: string): boolean {
    return this.statements.holds.get(tenant, webhookId, id) !== undefined;
  }

  cancel(id: string, nowMs: number): void {
    this.statements.cancel.run(nowMs, id);
  }

  /** Forgets at most `limit` finished deliveries last touched before `beforeMs`; how many it did. */
  prune(beforeMs: number, limit: number): number {
    return this.statements.prune.run(beforeMs, limit).changes;
  }

  /** Deliveries not yet delivered, given up or canceled (a count over the status index). */
  pendingCount(): number {
    return this.statements.pendingCount.get() as number;
  }

  deliveriesOf(tenant: string, webhookId: string, limit: number): DeliveryRow[] {
    return this.statements.ofWebhook.all(tenant, webhookId, limit) as DeliveryRow[];
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
