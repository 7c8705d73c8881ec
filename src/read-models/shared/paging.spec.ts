import { createHmac } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import { CursorCodec } from './cursor-codec';
import { DEFAULT_LIMIT, pageOf, paged } from './paging';

const SECRET = 'paging-spec-secret-paging-spec-secret-0123';
const cursors = new CursorCodec(SECRET);
const rows = (...positions: number[]) => positions.map((position) => ({ position }));

/** The nextCursor of the first page of `name` over `selection`, cut after the row at position 7. */
function cursorOf(name: string, selection: string[], codec = cursors): string {
  const { nextCursor } = paged(rows(9, 7, 3), pageOf(codec, name, selection, { limit: '2' }));
  if (nextCursor === null) throw new Error('expected a next page');
  return nextCursor;
}

/** The cursor with one bit of byte `at` flipped (negative: from the end). */
const flipped = (cursor: string, at: number) => {
  const bytes = Buffer.from(cursor, 'base64url');
  bytes[at < 0 ? bytes.length + at : at] ^= 1;
  return bytes.toString('base64url');
};

/** The text a cursor seals, read back as the service reads it. */
const cursorText = (cursor: string) => cursors.open(cursor) ?? 'not a cursor';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestException) return (error.getResponse() as { code: string }).code;
    throw error;
  }
  return 'no error';
};

describe('read paging: cursors', () => {
  const selection = ['sandbox.acme', 'ada'];
  const readWith = (cursor: string, codec = cursors) =>
    codeOf(() => pageOf(codec, 'transactions', selection, { cursor }));

  it('reads the position of the last row served back from a cursor of the same list', () => {
    const cursor = cursorOf('transactions', selection);
    const page = pageOf(cursors, 'transactions', selection, { cursor });
    expect(page).toMatchObject({ limit: DEFAULT_LIMIT, before: 7 });
    expect(cursor.length).toBeLessThanOrEqual(100);
  });

  it('reads a cursor on another replica, or after a restart, that has the same secret', () => {
    const cursor = cursorOf('transactions', selection);
    const page = pageOf(new CursorCodec(SECRET), 'transactions', selection, { cursor });
    expect(page.before).toBe(7);
  });

  it("refuses another list's cursor even when both lists are selected by the same values", () => {
    // The transactions of a member named "org" and the catalog an org key reads select alike.
    const orgSelection = ['sandbox.acme', 'org'];
    const cursor = cursorOf('transactions', orgSelection);
    expect(codeOf(() => pageOf(cursors, 'offers', orgSelection, { cursor }))).toBe(
      'INVALID_CURSOR',
    );
  });

  it('refuses a cursor with any bit changed, in its MAC or in its sealed text', () => {
    const cursor = cursorOf('transactions', selection);
    const length = Buffer.from(cursor, 'base64url').length;
    for (let at = 0; at < length; at++)
      expect(readWith(flipped(cursor, at))).toBe('INVALID_CURSOR');
    expect(readWith(cursor.slice(0, -2))).toBe('INVALID_CURSOR');
  });

  it('refuses the formats of earlier versions: the text in clear, with its MAC or without', () => {
    const text = `transactions:7:${cursorText(cursorOf('transactions', selection)).split(':')[2]}`;
    const body = Buffer.from(text, 'utf8');
    expect(readWith(body.toString('base64url'))).toBe('INVALID_CURSOR');
    const v1Key = createHmac('sha256', SECRET).update('points-ledger paging cursor v1').digest();
    const v1Mac = createHmac('sha256', v1Key).update(body).digest().subarray(0, 16);
    expect(readWith(Buffer.concat([body, v1Mac]).toString('base64url'))).toBe('INVALID_CURSOR');
  });

  it('still reads a cursor handed out before positions were padded, unpadded', () => {
    const { list } = pageOf(cursors, 'transactions', selection, {});
    const cursor = cursors.seal(`transactions:7:${list.selection}`);
    expect(pageOf(cursors, 'transactions', selection, { cursor })).toMatchObject({ before: 7 });
  });

  it('shows nothing of the list or of the position, a place that counts every tenant', () => {
    const early = cursorOf('transactions', selection);
    const late = paged(rows(9_000_001, 9_000_000, 3), {
      ...pageOf(cursors, 'transactions', selection, {}),
      limit: 2,
    }).nextCursor as string;
    expect(cursorText(late)).toMatch(/^transactions:0000000009000000:/);
    for (const cursor of [early, late]) {
      const bytes = Buffer.from(cursor, 'base64url');
      expect(bytes.toString('latin1')).not.toMatch(/transactions|:7:|9000000/);
      expect(bytes.length).toBe(cursorText(cursor).length + 16);
    }
    // Nor by its length: a cursor at position 7 is as long as one at 9,000,000.
    expect(early.length).toBe(late.length);
  });

  it('refuses a cursor sealed with another secret', () => {
    const other = cursorOf('transactions', selection, new CursorCodec(`${SECRET}-rotated`));
    expect(other).not.toBe(cursorOf('transactions', selection));
    expect(readWith(other)).toBe('INVALID_CURSOR');
  });

  it('refuses another spelling of the same bytes (spare bits in the last character)', () => {
    const cursor = cursorOf('transactions', selection);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bytes = Buffer.from(cursor, 'base64url');
    const aliases = [...alphabet]
      .map((last) => cursor.slice(0, -1) + last)
      .filter((alias) => alias !== cursor && Buffer.from(alias, 'base64url').equals(bytes));
    expect(aliases.length).toBeGreaterThan(0);
    for (const alias of aliases) expect(readWith(alias)).toBe('INVALID_CURSOR');
  });

  it('reads an empty ?cursor= as no cursor: the first page', () => {
    expect(pageOf(cursors, 'offers', ['sandbox.acme', 'org'], { cursor: '' })).toMatchObject({
      before: Infinity,
    });
  });
});
