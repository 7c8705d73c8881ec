import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Matches } from 'class-validator';
import { sha256Hex } from '../../shared/application/sha256';

export const DEFAULT_LIMIT = 20;
const MAX_CURSOR_LENGTH = 200;

/** `?limit&cursor`: limit 1-100 (400 VALIDATION_FAILED otherwise), an opaque cursor. */
export class PageQuery {
  @IsOptional()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  /** Any text: one this list did not hand out, however long, is 400 INVALID_CURSOR (pageOf). */
  @IsOptional()
  @IsString()
  cursor?: string;
}

export interface Page {
  limit: number;
  /** Rows strictly older (lower position) than this; Infinity on the first page. */
  before: number;
  /** The list this page is of, as its cursors name it. */
  list: ListKey;
}

interface ListKey {
  name: string;
  /** A digest of what selects the list's rows (tenant, filters, audience). */
  selection: string;
}

const invalidCursor = () =>
  new BadRequestException({
    code: 'INVALID_CURSOR',
    message: 'cursor is not a nextCursor this list returned',
    details: {
      fields: [{ field: 'cursor', problems: ['cursor is not a nextCursor this list returned'] }],
    },
  });

/**
 * A cursor is base64url(`<list>:<position>:<selection>`): the position of the last row served,
 * which is the row's sort key (newest first). A row's position never changes and new rows get
 * higher ones, so following cursors never skips nor repeats a row, however many arrive meanwhile.
 * The list's name and a digest of what selects its rows make a cursor of one list a 400 on
 * another, also on the same route with another filter, where it would skip rows silently.
 */
function encodeCursor(list: ListKey, position: number): string {
  return Buffer.from(`${list.name}:${position}:${list.selection}`, 'utf8').toString('base64url');
}

/**
 * The page `query` asks for, of the list `name` whose rows `selection` picks (the tenant, the
 * filters, who reads): the same values, in the same order, on every page of one list.
 */
export function pageOf(
  name: string,
  selection: ReadonlyArray<string | undefined>,
  query: PageQuery,
): Page {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  const list = { name, selection: sha256Hex(JSON.stringify(selection)).slice(0, 16) };
  if (query.cursor === undefined || query.cursor === '') return { limit, before: Infinity, list };
  // The cursors handed out are far shorter: a longer text is not decoded at all.
  const decoded =
    query.cursor.length <= MAX_CURSOR_LENGTH && /^[A-Za-z0-9_-]+$/.test(query.cursor)
      ? Buffer.from(query.cursor, 'base64url').toString('utf8')
      : '';
  const match = /^([a-z]+):(\d{1,16}):([0-9a-f]{16})$/.exec(decoded);
  if (!match || match[1] !== list.name || match[3] !== list.selection) throw invalidCursor();
  return { limit, before: Number(match[2]), list };
}

/** Cuts a page fetched with one row too many; the extra row only says that there is more. */
export function paged<R extends { position: number }>(
  rows: R[],
  page: Page,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= page.limit) return { rows, nextCursor: null };
  const kept = rows.slice(0, page.limit);
  return { rows: kept, nextCursor: encodeCursor(page.list, kept[kept.length - 1].position) };
}

/** SQLite takes no Infinity: the first page reads below the largest safe integer. */
export const beforeParam = (page: Page) =>
  Number.isFinite(page.before) ? page.before : Number.MAX_SAFE_INTEGER;
