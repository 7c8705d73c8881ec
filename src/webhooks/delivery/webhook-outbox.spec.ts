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
});
