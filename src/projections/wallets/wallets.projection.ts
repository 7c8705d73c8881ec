import type Database from 'better-sqlite3';
import { int, record } from '../engine/fields';
import type { ProjectedEvent, Projection } from '../engine/projection';
import { unhandled } from '../engine/projection';
import { Cached, RowCache } from '../engine/row-cache';
import type { WriteSetBuilder } from '../engine/write-set';
import { emailKey } from '../../ledger/wallet/member-aliases';
import { SummaryProfile, tierOf } from '../../ledger/wallet/wallet.view';
import { WALLETS } from '../names';

interface LedgerRow extends Cached {
  tenant: string;
  externalUserID: string;
  balance: number;
  credited: number;
  debited: number;
  refunded: number;
  pending: number;
}

interface MemberRow extends Cached {
  tenant: string;
  externalUserID: string;
  /** A SummaryProfile as JSON; null until the member's first upsert. */
  profile: string | null;
  archived: number;
  /**
   * The position in $all of the member's first event, whatever it is: from then on the member
   * exists (it has a wallet, and GET /v1/members/{id} answers 200). It never changes and no other
   * member's first event has it, so it orders GET /v1/members and is its cursor.
   */
  firstPosition: number;
  /** The tier its summary shows (tierOf the profile): what GET /v1/members?tier= matches. */
  tier: string;
  /**
   * The profile's lookup aliases, null while it has none: what GET /v1/members?email=, ?phone= and
   * ?posAccountId= match. The email as it is looked up (emailKey), the other two as stored.
   */
  emailKey: string | null;
  phone: string | null;
  posAccountId: string | null;
}

interface TotalsRow extends Cached {
  tenant: string;
  members: number;
}

function pickProfile(source: Record<string, unknown>): SummaryProfile {
  const { displayName, tier, attributes, email, phone, posAccountId } = source as Record<
    string,
    never
  >;
  return { displayName, tier, attributes, email, phone, posAccountId };
}

/** A member counts while it has a profile and is not archived. */
const counted = (row: MemberRow) => (row.profile !== null && row.archived === 0 ? 1 : 0);

/** Sets the profile, and the tier and aliases the member is found by with it. */
function setProfile(row: MemberRow, profile: SummaryProfile): void {
  row.profile = JSON.stringify(profile);
  row.tier = tierOf(profile);
  // Strings or null (or left out by an event that predates the field): wallet.event-shape.ts.
  row.emailKey = profile.email == null ? null : emailKey(profile.email);
  row.phone = profile.phone ?? null;
  row.posAccountId = profile.posAccountId ?? null;
}

/**
 * The fold of wallet.state.ts, kept as rows. rm_wallets: each member's balance and what it
 * received, spent and got back (rewritten often, so kept narrow, with no index but its key);
 * rm_members: its profile, whether it is archived, its place in the list of members, and the tier
 * and aliases it is found by (written on the first event, profile events, archive and unarchive
 * only: points moving never write it); rm_wallet_totals: members per tenant. A member's wallet row and member
 * row both exist from its first event, whatever it is.
 */
export class WalletsProjection implements Projection {
  readonly name = WALLETS;
  readonly categories = ['wallet'];
  private readonly ledgers: RowCache<LedgerRow>;
  private readonly members: RowCache<MemberRow>;
  private readonly totals: RowCache<TotalsRow>;

  constructor(db: Database.Database) {
    const loadLedger = db.prepare(
      `SELECT tenant, external_user_id AS externalUserID, balance, credited, debited, refunded, pending
       FROM rm_wallets WHERE tenant = ? AND external_user_id = ?`,
    );
    const loadMember = db.prepare(
      `SELECT tenant, external_user_id AS externalUserID, profile, archived, first_position AS firstPosition, tier,
         email_key AS emailKey, phone, pos_account_id AS posAccountId
       FROM rm_members WHERE tenant = ? AND external_user_id = ?`,
    );
    const loadTotals = db.prepare('SELECT tenant, members FROM rm_wallet_totals WHERE tenant = ?');
    // Whole rows over their key (see READ_MODEL_MIGRATIONS on REPLACE).
    const saveLedger = `INSERT OR REPLACE INTO rm_wallets (tenant, external_user_id, balance, credited, debited, refunded, pending)
       VALUES (?, ?, ?, ?, ?, ?, ?)`;
    const saveMember = `INSERT OR REPLACE INTO rm_members (tenant, external_user_id, profile, archived, first_position, tier,
         email_key, phone, pos_account_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const saveTotals = `INSERT OR REPLACE INTO rm_wallet_totals (tenant, members) VALUES (?, ?)`;
    this.ledgers = new RowCache(
      500_000,
      (tenant, member) => loadLedger.get(tenant, member) as LedgerRow | undefined,
      (r, out) =>
        out
          .values(saveLedger, 7, 2)
          .push(
            r.tenant,
            r.externalUserID,
            r.balance,
            r.credited,
            r.debited,
            r.refunded,
            r.pending,
          ),
    );
    this.members = new RowCache(
      100_000,
      (tenant, member) => loadMember.get(tenant, member) as MemberRow | undefined,
      (r, out) =>
        out
          .values(saveMember, 9, 2)
          .push(
            r.tenant,
            r.externalUserID,
            r.profile,
            r.archived,
            r.firstPosition,
            r.tier,
            r.emailKey,
            r.phone,
            r.posAccountId,
          ),
    );
    this.totals = new RowCache(
      10_000,
      (tenant) => loadTotals.get(tenant) as TotalsRow | undefined,
      (r, out) => out.values(saveTotals, 2).push(r.tenant, r.members),
    );
  }

  apply(event: ProjectedEvent): void {
    const { tenant } = event;
    const member = event.externalUserID as string;
    const ledger = this.ledgers.find(tenant, member) ?? this.openWallet(tenant, member, event);
    const data = record(event.data);
    switch (event.type) {
      case 'MemberRegistered':
        return this.onMember(tenant, member, (row) => setProfile(row, pickProfile(data)));
      case 'MemberProfileUpdated':
        return this.onMember(tenant, member, (row) => {
          // As evolveWallet: changes to a wallet without a profile change nothing.
          if (row.profile === null) return;
          const merged = {
            ...(JSON.parse(row.profile) as SummaryProfile),
            ...record(data.changes),
          };
          setProfile(row, pickProfile(merged));
        });
      case 'MemberArchived':
        return this.onMember(tenant, member, (row) => (row.archived = 1));
      case 'MemberUnarchived':
        return this.onMember(tenant, member, (row) => (row.archived = 0));
      case 'PointsCredited': {
        const amount = int(data, 'amount');
        ledger.balance += amount;
        ledger.credited += amount;
        return this.ledgers.touch(ledger);
      }
      case 'PointsDebited': {
        const amount = int(data, 'amount');
        ledger.balance -= amount;
        ledger.debited += amount;
        return this.ledgers.touch(ledger);
      }
      case 'PointsRefunded': {
        const amount = int(data, 'amount');
        ledger.balance += amount;
        ledger.refunded += amount;
        return this.ledgers.touch(ledger);
      }
      case 'PointsHeld':
        ledger.pending += int(data, 'points', 0);
        return this.ledgers.touch(ledger);
      case 'PointsHoldApplied':
      case 'PointsHoldReleased':
        // evolveWallet ends a hold once; the decider writes each once, and the audit checks it.
        ledger.pending -= int(data, 'points', 0);
        return this.ledgers.touch(ledger);
      case 'RedemptionCreated':
      case 'RedemptionStatusChanged':
      case 'RedemptionCanceled':
      case 'RedemptionReversed':
      case 'RedemptionFulfilled':
        return;
      default:
        unhandled(this.name, event);
    }
  }

  write(out: WriteSetBuilder): void {
    this.ledgers.write(out);
    this.members.write(out);
    this.totals.write(out);
  }

  pending(): number {
    return this.ledgers.pending + this.members.pending + this.totals.pending;
  }

  trim(): void {
    this.ledgers.trim();
    this.members.trim();
    this.totals.trim();
  }

  reset(empty: boolean): void {
    this.ledgers.reset(empty);
    this.members.reset(empty);
    this.totals.reset(empty);
  }

  /**
   * The member's first event: a new ledger row, written even before points move (the wallet
   * exists), and its member row, which records the event's position (a redemption or a credit of
   * a member seen before finds its ledger and writes no member row).
   */
  private openWallet(tenant: string, member: string, event: ProjectedEvent): LedgerRow {
    this.members.put(tenant, member, {
      tenant,
      externalUserID: member,
      profile: null,
      archived: 0,
      firstPosition: event.position,
      tier: tierOf(null),
      emailKey: null,
      phone: null,
      posAccountId: null,
    });
    const row = {
      tenant,
      externalUserID: member,
      balance: 0,
      credited: 0,
      debited: 0,
      refunded: 0,
      pending: 0,
    };
    this.ledgers.put(tenant, member, row);
    return row;
  }

  private onMember(tenant: string, member: string, change: (row: MemberRow) => void): void {
    // Written with its ledger row on the member's first event (openWallet): one missing was
    // deleted by hand, and the projection stops rather than guess where the member was listed.
    const row = this.members.find(tenant, member);
    if (!row) throw new Error(`rm_members has no row for ${member}, who has a wallet: rebuild`);
    const before = counted(row);
    change(row);
    this.members.touch(row);
    const delta = counted(row) - before;
    if (delta === 0) return;
    const totals =
      this.totals.find(tenant, '') ?? this.totals.keep(tenant, '', { tenant, members: 0 });
    totals.members += delta;
    this.totals.touch(totals);
  }
}

export const walletsProjection = (db: Database.Database) => new WalletsProjection(db);
