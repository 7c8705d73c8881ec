import { assertNever, Decider } from '../../shared/domain/decider';
import { DomainError, isDomainError, validationFailed } from '../../shared/domain/domain-error';
import { EXTERNAL_USER_ID_RULE, isExternalUserID } from '../../shared/domain/external-user-id';
import {
  isJsonValue,
  isPlainObject,
  isPositiveInteger,
  jsonEqual,
  MAX_JSON_VALUE_DEPTH,
  MAX_TEXT_LENGTH,
  optionalText,
  textCheck,
} from '../../shared/domain/values';
import type {
  ArchiveMember,
  CreditPoints,
  UpsertMemberProfile,
  WalletCommand,
} from './wallet.commands';
import {
  pointsForfeited,
  PROFILE_TEXT_LIMITS,
  PROFILE_FIELDS,
  type ProfileFields,
  type WalletEvent,
} from './wallet.events';
import { E164_RULE, isE164Phone, isProfileEmail } from './member-aliases';
import { commandBasics } from './wallet.inputs';
import { cancelRedemption, changeRedemptionStatus, createRedemption } from './wallet.redemptions';
import { reverseRedemption } from './wallet.reversals';
import { fulfilRedemption } from './wallet.fulfilment';
import { applyHold, expiredHolds, holdsReleasedOnArchive, releaseHold } from './wallet.holds';
import {
  evolveWallet,
  initialWalletState,
  lifetimePoints,
  walletOf,
  WalletState,
} from './wallet.state';

type Decision = WalletEvent[] | DomainError;

/** Bytes of UTF-8, as stored: 'é' counts two. */
const MAX_ATTRIBUTES_BYTES = 16_384;

function profileError(d: UpsertMemberProfile['data']): DomainError | null {
  const checks: [boolean, string, string][] = [
    [
      isExternalUserID(d.externalUserID),
      'externalUserID',
      `externalUserID must be ${EXTERNAL_USER_ID_RULE}`,
    ],
    textCheck('displayName', d.displayName, PROFILE_TEXT_LIMITS.displayName, true),
    textCheck('tier', d.tier, PROFILE_TEXT_LIMITS.tier, true),
    textCheck('posAccountId', d.posAccountId, PROFILE_TEXT_LIMITS.posAccountId, true),
    [d.email == null || isProfileEmail(d.email), 'email', 'email must be an email address'],
    [d.phone == null || isE164Phone(d.phone), 'phone', `phone must be ${E164_RULE}`],
    [
      d.attributes === undefined ||
        (isPlainObject(d.attributes) &&
          isJsonValue(d.attributes) &&
          Buffer.byteLength(JSON.stringify(d.attributes)) <= MAX_ATTRIBUTES_BYTES),
      'attributes',
      `attributes must be a JSON object of at most ${MAX_ATTRIBUTES_BYTES / 1024} KiB, nested at most ${MAX_JSON_VALUE_DEPTH} levels deep, its whole numbers within ±9007199254740991 (send larger ones as strings)`,
    ],
  ];
  const failed = checks.find(([ok]) => !ok);
  return failed ? validationFailed(failed[2], { field: failed[1] }) : null;
}

function upsertProfile({ data: d }: UpsertMemberProfile, state: WalletState): Decision {
  const invalid = commandBasics(d.now, {}) ?? profileError(d);
  if (invalid) return invalid;
  const { profile } = walletOf(state);
  const unarchived: WalletEvent[] =
    state.status === 'archived'
      ? [{ type: 'MemberUnarchived', data: { unarchivedAt: d.now } }]
      : [];
  if (profile === null) {
    const registered: WalletEvent = {
      type: 'MemberRegistered',
      data: {
        externalUserID: d.externalUserID,
        displayName: d.displayName ?? null,
        tier: d.tier ?? null,
        attributes: d.attributes ?? {},
        email: d.email ?? null,
        phone: d.phone ?? null,
        posAccountId: d.posAccountId ?? null,
        registeredAt: d.now,
      },
    };
    return [...unarchived, registered];
  }
  if (profile.externalUserID !== d.externalUserID) {
    return new DomainError('CONFLICT', `This wallet belongs to member ${profile.externalUserID}`);
  }
  const changes: Partial<ProfileFields> = {};
  for (const field of PROFILE_FIELDS) {
    const value = d[field];
    if (value !== undefined && !jsonEqual(value, profile[field]))
      Object.assign(changes, { [field]: value });
  }
  if (Object.keys(changes).length === 0) return unarchived;
  return [...unarchived, { type: 'MemberProfileUpdated', data: { changes, updatedAt: d.now } }];
}

function archiveMember({ data: d }: ArchiveMember, state: WalletState): Decision {
  const invalid = commandBasics(d.now, { transactionId: d.transactionId });
  if (invalid) return invalid;
  if (typeof d.retainBalance !== 'boolean') {
    return validationFailed('retainBalance must be a boolean');
  }
  if (state.status === 'empty') return new DomainError('NOT_FOUND', 'Member not found');
  if (state.status === 'archived') return [];
  // An archived member holds nothing pending: its holds are canceled first, then the balance
  // (which still counts the points they held) is forfeited or kept.
  const released = holdsReleasedOnArchive(state, d.now);
  const forfeitedPoints = d.retainBalance ? 0 : state.ledger.balance;
  const archived: WalletEvent = {
    type: 'MemberArchived',
    data: { retainBalance: d.retainBalance, forfeitedPoints, archivedAt: d.now },
  };
  if (forfeitedPoints === 0) return [...released, archived];
  return [...released, archived, pointsForfeited(d.transactionId, forfeitedPoints, d.now)];
}

function creditPoints({ data: d }: CreditPoints, state: WalletState): Decision {
  const invalid = commandBasics(d.now, { transactionId: d.transactionId });
  if (invalid) return invalid;
  if (!isPositiveInteger(d.amount)) {
    return validationFailed('amount must be a positive integer number of points', {
      field: 'amount',
    });
  }
  if (!optionalText(d.reason)) {
    return validationFailed(
      `reason must be 1-${MAX_TEXT_LENGTH} characters, not all blank, or null`,
      { field: 'reason' },
    );
  }
  if (state.status === 'archived') {
    return new DomainError('MEMBER_ARCHIVED', 'The member is archived');
  }
  const headroom = Number.MAX_SAFE_INTEGER - lifetimePoints(walletOf(state).ledger);
  if (d.amount > headroom) {
    return validationFailed(
      `Crediting ${d.amount} points would take the wallet's lifetime points past ${Number.MAX_SAFE_INTEGER}`,
      { field: 'amount', maxCredit: headroom },
    );
  }
  return [
    {
      type: 'PointsCredited',
      data: {
        transactionId: d.transactionId,
        amount: d.amount,
        reason: d.reason ?? null,
        creditedAt: d.now,
      },
    },
  ];
}

/** A wallet command's decision with what it writes either way: `refused` null when accepted. */
export interface WalletOutcome {
  events: WalletEvent[];
  refused: DomainError | null;
}

/**
 * Every command first releases the holds past their expiresAt (one look at a field on a wallet
 * without holds), in the same append as its own events, so that an expired hold never blocks
 * spending and balance - pending holds on every prefix of the stream. The command is decided on
 * the state after those releases. A command refused there still writes them: it was refused on
 * that state (a cancel of an expired hold is "already canceled"), and reads must agree with it.
 * Bad input writes nothing, those releases included.
 */
export function decideWalletOutcome(command: WalletCommand, state: WalletState): WalletOutcome {
  const expired = expiredHolds(state, command.data.now);
  const own = decideCommand(command, expired.reduce(evolveWallet, state));
  if (!isDomainError(own))
    return { events: expired.length === 0 ? own : [...expired, ...own], refused: null };
  return { events: own.code === 'VALIDATION_FAILED' ? [] : expired, refused: own };
}

/** The decision alone: the command's events after the expired holds' releases, or its refusal. */
export function decideWallet(command: WalletCommand, state: WalletState): Decision {
  const { events, refused } = decideWalletOutcome(command, state);
  return refused ?? events;
}

function decideCommand(command: WalletCommand, state: WalletState): Decision {
  switch (command.type) {
    case 'UpsertMemberProfile':
      return upsertProfile(command, state);
    case 'ArchiveMember':
      return archiveMember(command, state);
    case 'CreditPoints':
      return creditPoints(command, state);
    case 'CreateRedemption':
      return createRedemption(command, state);
    case 'ChangeRedemptionStatus':
      return changeRedemptionStatus(command, state);
    case 'CancelRedemption':
      return cancelRedemption(command, state);
    case 'ReverseRedemption':
      return reverseRedemption(command, state);
    case 'FulfilRedemption':
      return fulfilRedemption(command, state);
    case 'ApplyHold':
      return applyHold(command, state);
    case 'ReleaseHold':
      return releaseHold(command, state);
    case 'ExpireHolds':
      return commandBasics(command.data.now, {}) ?? [];
    default:
      return assertNever(command);
  }
}

export const walletDecider: Decider<WalletCommand, WalletState, WalletEvent> = {
  decide: decideWallet,
  evolve: evolveWallet,
  initialState: initialWalletState,
};
