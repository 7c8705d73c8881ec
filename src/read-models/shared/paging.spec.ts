import { BadRequestException } from '@nestjs/common';
import { DEFAULT_LIMIT, pageOf, paged } from './paging';

const rows = (...positions: number[]) => positions.map((position) => ({ position }));

/** The nextCursor of the first page of `name` over `selection`, cut after the row at position 7. */
function cursorOf(name: string, selection: string[]): string {
  const { nextCursor } = paged(rows(9, 7, 3), pageOf(name, selection, { limit: '2' }));
  if (nextCursor === null) throw new Error('expected a next page');
  return nextCursor;
}

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
  it('reads the position of the last row served back from a cursor of the same list', () => {
    const selection = ['sandbox.acme', 'ada'];
    const page = pageOf('transactions', selection, { cursor: cursorOf('transactions', selection) });
    expect(page).toMatchObject({ limit: DEFAULT_LIMIT, before: 7 });
  });

  it("refuses another list's cursor even when both lists are selected by the same values", () => {
    // The transactions of a member named "org" and the catalog an org key reads select alike.
    const selection = ['sandbox.acme', 'org'];
    const cursor = cursorOf('transactions', selection);
    expect(codeOf(() => pageOf('offers', selection, { cursor }))).toBe('INVALID_CURSOR');
  });

  it('reads an empty ?cursor= as no cursor: the first page', () => {
    expect(pageOf('offers', ['sandbox.acme', 'org'], { cursor: '' })).toMatchObject({
      before: Infinity,
    });
  });
});
