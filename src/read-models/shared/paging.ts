import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Matches } from 'class-validator';
import { sha256Hex } from '../../shared/application/sha256';
import { CursorCodec } from './cursor-codec';

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
  /** Seals the page's nextCursor. */
  cursors: CursorCodec;
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
 * A cursor is `<list>:<position>:<selection>`, sealed with a MAC (CursorCodec): the position of the
 * last row served, which is the row's sort key (newest first). A row's position never changes and
 * new rows get higher ones, so following cursors never skips nor repeats a row, however many
 * arrive meanwhile. The list's name and a digest of what selects its rows make a cursor of one
 * list a 400 on another, also on the same route with another filter, where it would skip rows
 * silently; the MAC makes an edited one a 400 too, where it would page from anywhere.
 */
function encodeCursor(page: Page, position: number): string {
  // All 16 digits, so that a cursor's length does not tell how many events $all holds.
  const digits = String(position).padStart(16, '0');
  return page.cursors.seal(`${page.list.name}:${digits}:${page.list.selection}`);
}

/**
 * The page `query` asks for, of the list `name` whose rows `selection` picks (the tenant, the
 * filters, who reads): the same values, in the same order, on every page of one list.
 */
export function pageOf(
  cursors: CursorCodec,
  name: string,
  selection: ReadonlyArray<string | undefined>,
  query: PageQuery,
): Page {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  const list = { name, selection: sha256Hex(JSON.stringify(selection)).slice(0, 16) };
  if (query.cursor === undefined || query.cursor === '')
    return { limit, before: Infinity, list, cursors };
  // The cursors handed out are far shorter: a longer text is not decoded at all.
  const text = query.cursor.length <= MAX_CURSOR_LENGTH ? cursors.open(query.cursor) : undefined;
  const match = /^([a-z]+):(\d{1,16}):([0-9a-f]{16})$/.exec(text ?? '');
  if (!match || match[1] !== list.name || match[3] !== list.selection) throw invalidCursor();
  return { limit, before: Number(match[2]), list, cursors };
}

/** Cuts a page fetched with one row too many; the extra row only says that there is more. */
export function paged<R extends { position: number }>(
  rows: R[],
  page: Page,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= page.limit) return { rows, nextCursor: null };
  const kept = rows.slice(0, page.limit);
  return { rows: kept, nextCursor: encodeCursor(page, kept[kept.length - 1].position) };
}

/** SQLite takes no Infinity: the first page reads below the largest safe integer. */
export const beforeParam = (page: Page) =>
  Number.isFinite(page.before) ? page.before : Number.MAX_SAFE_INTEGER;
