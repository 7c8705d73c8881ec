import type { Migration } from '../infrastructure/sqlite/migrations';

/**
 * The read-model schema, append-only like the event store's. Read models are derived data: when a
 * start finds a migration it has not applied on a database that already had some, it drops every
 * table and replays from the first event (see ReadModelDb.open), so a migration never has to
 * back-fill rows.
 *
 * Append-only tables (ledger entries, status history) are keyed by position: rows go in at the end
 * of the table, so a commit touches its last pages only. An index whose name contains `_by_` only
 * serves reads; a bulk rebuild may drop it and build it once at the end. Every other key is on the
 * projections' write path.
 *
 * The keyed tables that projections keep in row caches (wallets, members, counts, totals,
 * analytics) are WITHOUT ROWID and are always written whole: their rows go in with INSERT OR
 * REPLACE, which overwrites a row in one seek where an upsert seeks twice (about a fifth cheaper
 * per row in a rebuild). Give such a table another unique index (REPLACE would delete the other
 * row it clashes with), a trigger or a column its projection does not write, and REPLACE is no
 * longer the same as an upsert. rm_members alone has other indexes, plain `_by_` ones (migrations
 * 5 and 6): REPLACE rewrites their entries too, which is cheap there since rm_members is written
 * on a member's first event, profile events, archive and unarchive only, never by points moving.
 */
export const READ_MODEL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'read models',
    sql: `
      CREATE TABLE rm_checkpoints (
        name           TEXT PRIMARY KEY,
        position       INTEGER NOT NULL,
        error_position INTEGER,
        error          TEXT
      ) WITHOUT ROWID;
      CREATE TABLE rm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE rm_wallets (
        tenant           TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        balance          INTEGER NOT NULL,
        credited         INTEGER NOT NULL,
        debited          INTEGER NOT NULL,
        refunded         INTEGER NOT NULL,
        pending          INTEGER NOT NULL,
        PRIMARY KEY (tenant, external_user_id)
      ) WITHOUT ROWID;
      CREATE TABLE rm_members (
        tenant           TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        profile          TEXT,
        archived         INTEGER NOT NULL,
        PRIMARY KEY (tenant, external_user_id)
      ) WITHOUT ROWID;
      CREATE TABLE rm_wallet_totals (
        tenant  TEXT PRIMARY KEY,
        members INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE rm_transactions (
        position         INTEGER PRIMARY KEY,
        tenant           TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        id               TEXT NOT NULL,
        type             TEXT NOT NULL,
        amount           INTEGER NOT NULL,
        reason           TEXT,
        redemption_id    TEXT,
        created_at       TEXT NOT NULL
      );
      CREATE INDEX rm_transactions_by_member ON rm_transactions (tenant, external_user_id);

      CREATE TABLE rm_redemptions (
        position         INTEGER PRIMARY KEY,
        tenant           TEXT NOT NULL,
        id               TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        offer_id         TEXT NOT NULL,
        status           TEXT NOT NULL,
        quantity         INTEGER NOT NULL,
        amount           TEXT,
        points_cost      INTEGER NOT NULL,
        description      TEXT,
        shipping         TEXT,
        artifact         TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        offer_snapshot   INTEGER NOT NULL,
        remaining_stock  INTEGER,
        updated_at       TEXT NOT NULL,
        canceled_at      TEXT,
        start_at         TEXT,
        end_at           TEXT,
        points_debited   INTEGER NOT NULL,
        points_refunded  INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX rm_redemptions_id ON rm_redemptions (tenant, id);
      CREATE INDEX rm_redemptions_by_tenant ON rm_redemptions (tenant);
      CREATE INDEX rm_redemptions_by_member ON rm_redemptions (tenant, external_user_id);
      CREATE INDEX rm_redemptions_by_status ON rm_redemptions (tenant, status);
      CREATE INDEX rm_redemptions_by_offer ON rm_redemptions (tenant, offer_id);
      CREATE TABLE rm_offer_snapshots (
        position INTEGER PRIMARY KEY,
        tenant   TEXT NOT NULL,
        offer_id TEXT NOT NULL,
        snapshot TEXT NOT NULL
      );
      CREATE INDEX rm_offer_snapshots_latest ON rm_offer_snapshots (tenant, offer_id);
      CREATE TABLE rm_redemption_history (
        position      INTEGER PRIMARY KEY,
        tenant        TEXT NOT NULL,
        redemption_id TEXT NOT NULL,
        status        TEXT NOT NULL,
        at            TEXT NOT NULL
      );
      CREATE INDEX rm_redemption_history_by_redemption ON rm_redemption_history (tenant, redemption_id);
      CREATE TABLE rm_redemption_counts (
        tenant            TEXT NOT NULL,
        scope             TEXT NOT NULL,
        scope_id          TEXT NOT NULL,
        submitted         INTEGER NOT NULL,
        open              INTEGER NOT NULL,
        awaiting_vendor   INTEGER NOT NULL,
        awaiting_customer INTEGER NOT NULL,
        purchased         INTEGER NOT NULL,
        completed         INTEGER NOT NULL,
        canceled          INTEGER NOT NULL,
        total             INTEGER NOT NULL,
        points_spent      INTEGER NOT NULL,
        PRIMARY KEY (tenant, scope, scope_id)
      ) WITHOUT ROWID;

      CREATE TABLE rm_offers (
        position       INTEGER PRIMARY KEY,
        tenant         TEXT NOT NULL,
        offer_id       TEXT NOT NULL,
        definition     TEXT NOT NULL,
        reserved_units INTEGER NOT NULL,
        redeemed_count INTEGER NOT NULL,
        redeemed_units INTEGER NOT NULL,
        updated_at     TEXT NOT NULL
      );
      CREATE UNIQUE INDEX rm_offers_id ON rm_offers (tenant, offer_id);
      CREATE INDEX rm_offers_by_tenant ON rm_offers (tenant);

      CREATE TABLE rm_analytics_totals (
        tenant        TEXT PRIMARY KEY,
        points_minted INTEGER NOT NULL,
        points_spent  INTEGER NOT NULL,
        signups       INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE rm_analytics_buckets (
        tenant        TEXT NOT NULL,
        interval      TEXT NOT NULL,
        start_ms      INTEGER NOT NULL,
        points_minted INTEGER NOT NULL,
        points_spent  INTEGER NOT NULL,
        signups       INTEGER NOT NULL,
        PRIMARY KEY (tenant, interval, start_ms)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'exact analytics sums',
    // Points sums without a declared type: an INTEGER, or digits past 2^53 (see exact-sum.ts).
    sql: `
      DROP TABLE rm_analytics_totals;
      CREATE TABLE rm_analytics_totals (
        tenant        TEXT PRIMARY KEY,
        points_minted NOT NULL,
        points_spent  NOT NULL,
        signups       INTEGER NOT NULL
      ) WITHOUT ROWID;
      DROP TABLE rm_analytics_buckets;
      CREATE TABLE rm_analytics_buckets (
        tenant        TEXT NOT NULL,
        interval      TEXT NOT NULL,
        start_ms      INTEGER NOT NULL,
        points_minted NOT NULL,
        points_spent  NOT NULL,
        signups       INTEGER NOT NULL,
        PRIMARY KEY (tenant, interval, start_ms)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'exact points spent per organization and offer',
    // As in migration 2: points_spent without a declared type (see exact-sum.ts).
    sql: `
      DROP TABLE rm_redemption_counts;
      CREATE TABLE rm_redemption_counts (
        tenant            TEXT NOT NULL,
        scope             TEXT NOT NULL,
        scope_id          TEXT NOT NULL,
        submitted         INTEGER NOT NULL,
        open              INTEGER NOT NULL,
        awaiting_vendor   INTEGER NOT NULL,
        awaiting_customer INTEGER NOT NULL,
        purchased         INTEGER NOT NULL,
        completed         INTEGER NOT NULL,
        canceled          INTEGER NOT NULL,
        total             INTEGER NOT NULL,
        points_spent      NOT NULL,
        PRIMARY KEY (tenant, scope, scope_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'indexes for an offer in a status, and for the active catalog',
    // An offer's redemptions in one status were found by walking all of the offer's, and a
    // member's catalog page walked every inactive offer before the active ones (the status sits
    // in the definition's JSON: a partial index on the same expression the page filters on).
    sql: `
      CREATE INDEX rm_redemptions_by_offer_status ON rm_redemptions (tenant, offer_id, status);
      CREATE INDEX rm_offers_active_by_tenant ON rm_offers (tenant)
        WHERE json_extract(definition, '$.status') = 'ACTIVE';
    `,
  },
  {
    version: 5,
    name: 'members listed newest first, by tier',
    // GET /v1/members. A member row now exists from the member's first wallet event, as its
    // wallet row does (both say "this member exists": GET /v1/members/{id} answers 200 from then
    // on), and records that event's position, which never changes and no other member shares: the
    // list's order and cursor. `tier` is the tier the summary shows (DEFAULT_TIER while unset), so
    // that a filter on it matches what the items say.
    sql: `
      DROP TABLE rm_members;
      CREATE TABLE rm_members (
        tenant           TEXT NOT NULL,
        external_user_id TEXT NOT NULL,
        profile          TEXT,
        archived         INTEGER NOT NULL,
        first_position   INTEGER NOT NULL,
        tier             TEXT NOT NULL,
        PRIMARY KEY (tenant, external_user_id)
      ) WITHOUT ROWID;
      CREATE INDEX rm_members_by_tenant ON rm_members (tenant, first_position);
      CREATE INDEX rm_members_by_tier ON rm_members (tenant, tier, first_position);
    `,
  },
  {
    version: 6,
    name: 'members looked up by email, phone and POS account id',
    // GET /v1/members?email=&phone=&posAccountId= (seed 003's lookup aliases). The projection
    // writes the three with the profile, as it writes `tier`: email_key is the email as it is
    // looked up (emailKey: ASCII letters in lower case), phone and pos_account_id are as stored;
    // each is null while the profile has none. The indexes are partial, so that members without
    // the alias have no entry in them; like the member list's, they order each alias's members
    // newest first. Nothing makes an alias unique: two members may share one.
    sql: `
      ALTER TABLE rm_members ADD COLUMN email_key TEXT;
      ALTER TABLE rm_members ADD COLUMN phone TEXT;
      ALTER TABLE rm_members ADD COLUMN pos_account_id TEXT;
      CREATE INDEX rm_members_by_email ON rm_members (tenant, email_key, first_position)
        WHERE email_key IS NOT NULL;
      CREATE INDEX rm_members_by_phone ON rm_members (tenant, phone, first_position)
        WHERE phone IS NOT NULL;
      CREATE INDEX rm_members_by_pos_account_id ON rm_members (tenant, pos_account_id, first_position)
        WHERE pos_account_id IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'partial reversals of redemptions',
    // POST /v1/redemptions/{id}/reverse. What reversals gave back so far: points always, units for
    // a UNIT_BASED redemption and the amount (a decimal string) for an AMOUNT_BASED one, else null,
    // and the state they add up to. The projection writes every one on insert and update.
    sql: `
      ALTER TABLE rm_redemptions ADD COLUMN reversed_points INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE rm_redemptions ADD COLUMN reversed_units INTEGER;
      ALTER TABLE rm_redemptions ADD COLUMN reversed_amount TEXT;
      ALTER TABLE rm_redemptions ADD COLUMN reversal_state TEXT NOT NULL DEFAULT 'NONE';
    `,
  },
  {
    version: 8,
    name: 'fulfilment tracking of redemptions',
    // POST /v1/redemptions/{id}/fulfilment: the latest tracking of a FULFILMENT redemption as
    // JSON ({ trackingNumber, carrier, trackingUrl, fulfilledAt }), null until it is shipped.
    sql: `ALTER TABLE rm_redemptions ADD COLUMN fulfilment TEXT;`,
  },
  {
    version: 9,
    name: 'held points of redemptions',
    // Delayed deduction (seed 003). rm_redemptions.hold: a DELAYED redemption's hold as JSON
    // ({ state, points, expiresAt, appliedAt, releasedAt, reference }), null for one debited at
    // once. rm_holds: the holds still HELD, one row each, deleted when applied or released; the
    // hold sweeper reads the expired ones by expires_ms (epoch milliseconds) without a scan.
    sql: `
      ALTER TABLE rm_redemptions ADD COLUMN hold TEXT;
      CREATE TABLE rm_holds (
        tenant         TEXT NOT NULL,
        redemption_id  TEXT NOT NULL,
        expires_ms     INTEGER NOT NULL,
        PRIMARY KEY (tenant, redemption_id)
      ) WITHOUT ROWID;
      CREATE INDEX rm_holds_by_expiry ON rm_holds (expires_ms);
    `,
  },
  {
    version: 10,
    name: 'redemptions by coupon code',
    // GET /v1/redemptions?couponCode=: a checkout finds the redemption behind a code (seed 003
    // sends the code, not the redemption's id). An index on the code inside the artifact's JSON,
    // of COUPON redemptions only, so that the projection writes no column of its own for it.
    sql: `
      CREATE INDEX rm_redemptions_by_coupon
        ON rm_redemptions (tenant, json_extract(artifact, '$.couponCode'))
        WHERE json_extract(artifact, '$.couponCode') IS NOT NULL;
    `,
  },
  {
    version: 11,
    name: 'stock left by canceled redemptions',
    // rm_stock_left: the redemptions of an offer with a stock (rm_redemptions.remaining_stock set)
    // that are canceled (canceled_ms, epoch milliseconds, and offer_id) or whose stock is released
    // (released = 1), but not both yet. A cancel and its release come together, in either order;
    // where they are two appends (EventStoreDB), a release lost between them leaves a row with
    // released = 0, which the sweeper reads by rm_stock_left_by_cancel and gives its stock back.
    sql: `
      CREATE TABLE rm_stock_left (
        tenant         TEXT NOT NULL,
        redemption_id  TEXT NOT NULL,
        offer_id       TEXT,
        canceled_ms    INTEGER,
        released       INTEGER NOT NULL,
        PRIMARY KEY (tenant, redemption_id)
      ) WITHOUT ROWID;
      CREATE INDEX rm_stock_left_by_cancel ON rm_stock_left (canceled_ms) WHERE released = 0;
    `,
  },
];

/** Tables that are bookkeeping, not read models: left out of row-for-row comparisons. */
export const BOOKKEEPING_TABLES: readonly string[] = ['rm_checkpoints', 'rm_meta'];
