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

/** The cursor's bytes: its text, then a 16-byte MAC. */
const split = (cursor: string) => {
  const bytes = Buffer.from(cursor, 'base64url');
  return { text: bytes.subarray(0, -16).toString('utf8'), mac: bytes.subarray(-16) };
};

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

  it('refuses a cursor whose position was edited, with its MAC kept or left off', () => {
    const { text, mac } = split(cursorOf('transactions', selection));
    for (const position of ['6', '8', '0', '100000']) {
      const edited = Buffer.from(text.replace(/:7:/, `:${position}:`), 'utf8');
      expect(edited.toString()).not.toBe(text);
      expect(readWith(Buffer.concat([edited, mac]).toString('base64url'))).toBe('INVALID_CURSOR');
      // The format before cursors were sealed.
      expect(readWith(edited.toString('base64url'))).toBe('INVALID_CURSOR');
    }
    expect(readWith(Buffer.from(text, 'utf8').toString('base64url'))).toBe('INVALID_CURSOR');
  });

  it('refuses a cursor sealed with another secret', () => {
    const other = cursorOf('transactions', selection, new CursorCodec(`${SECRET}-rotated`));
    expect(split(other).text).toBe(split(cursorOf('transactions', selection)).text);
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
