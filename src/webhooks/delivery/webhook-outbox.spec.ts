import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../infrastructure/sqlite/migrations';
import { WEBHOOK_MIGRATIONS, WebhookOutbox } from './webhook-outbox';

describe('WebhookOutbox', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'points-ledger-outbox-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a webhooks.db of the first schema, its endpoints at secret version 1', () => {
    const path = join(dir, 'webhooks.db');
    const old = new Database(path);
    migrate(old, WEBHOOK_MIGRATIONS.slice(0, 1), 'wh_schema_migrations');
    old
      .prepare('INSERT INTO wh_endpoints (tenant, id, url, events) VALUES (?, ?, ?, \'["*"]\')')
      .run('sandbox.acme', 'wh_1', 'https://hooks.example.com/a');
    old
      .prepare(
        "INSERT INTO wh_deliveries (id, tenant, webhook_id, event_id, event_type, body, status, attempts, created_at, updated_at) VALUES ('msg_1', 'sandbox.acme', 'wh_1', 'e1', 'loyalty.points.credited', '{}', 'failed', 7, 1, 1)",
      )
      .run();
    old.close();

    const outbox = WebhookOutbox.open(path);
    try {
      expect(outbox.endpoint('sandbox.acme', 'wh_1')).toEqual({
        url: 'https://hooks.example.com/a',
        events: ['*'],
        secretVersion: 1,
        rotatedAt: null,
      });
      expect(outbox.resend('sandbox.acme', 'wh_1', 'msg_1', 5_000)).toBe(true);
      const [webhook] = outbox.dueWebhooks(5_000);
      expect(webhook).toEqual({ tenant: 'sandbox.acme', webhookId: 'wh_1', at: 5_000 });
      expect(outbox.dueOf(webhook, 5_000, 10)).toEqual([
        expect.objectContaining({ id: 'msg_1', status: 'pending', attempts: 7, resend: 1 }),
      ]);
      expect(outbox.resend('sandbox.acme', 'wh_2', 'msg_1', 5_000)).toBe(false);
    } finally {
      outbox.close();
    }
  });
  it('prunes finished deliveries older than asked, a batch at a time, through an index', () => {
    const outbox = WebhookOutbox.open(join(dir, 'webhooks.db'));
    try {
      for (let n = 0; n < 5; n++) {
        outbox.enqueue(
          {
            id: `msg_${n}`,
            tenant: 'sandbox.acme',
            webhookId: 'wh_1',
            eventId: `e${n}`,
            eventType: 'loyalty.points.credited',
            body: '{}',
          },
          1_000 + n,
        );
        if (n < 4) outbox.delivered(`msg_${n}`, 2_000 + n); // msg_4 stays pending
      }
      // Delivered at 2,000-2,003: the three before 2,003 go, two in the first batch.
      expect(outbox.prune(2_003, 2)).toBe(2);
      expect(outbox.prune(2_003, 2)).toBe(1);
      expect(outbox.prune(2_003, 2)).toBe(0);
      expect(outbox.prune(10_000, 10)).toBe(1); // msg_3; never a pending one
      expect(outbox.pendingCount()).toBe(1);

      const plan = outbox.db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT rowid FROM wh_deliveries WHERE status != 'pending' AND updated_at < ? LIMIT ?",
        )
        .all(0, 1) as Array<{ detail: string }>;
      expect(plan.map((step) => step.detail)).toEqual([
        'SEARCH wh_deliveries USING INDEX wh_deliveries_finished (updated_at<?)',
      ]);
    } finally {
      outbox.close();
    }
  });
});
