import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const DEFAULT_LIMIT = 20;

/** `?limit&cursor`: limit 1-100 (400 VALIDATION_FAILED otherwise), an opaque cursor. */
export class PageQuery {
  @IsOptional()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface Page {
  limit: number;
  /** Rows strictly older (lower position) than this; Infinity on the first page. */
  before: number;
}

/**
 * A cursor is base64url(`<list>:<position>`): the position of the last row served, which is the
 * row's sort key (newest first). A row's position never changes and new rows get higher ones, so
 * following cursors never skips nor repeats a row, however many arrive meanwhile. The list name
 * makes a cursor of one list a 400 on another.
 */
export function encodeCursor(list: string, position: number): string {
  return Buffer.from(`${list}:${position}`, 'utf8').toString('base64url');
}

export function pageOf(list: string, query: PageQuery): Page {
  const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
  if (query.cursor === undefined || query.cursor === '') return { limit, before: Infinity };
  const decoded = /^[A-Za-z0-9_-]+$/.test(query.cursor)
    ? Buffer.from(query.cursor, 'base64url').toString('utf8')
    : '';
  const match = /^([a-z]+):(\d{1,16})$/.exec(decoded);
  if (!match || match[1] !== list) {
    throw new BadRequestException({
      code: 'INVALID_CURSOR',
      message: 'cursor is not a nextCursor this list returned',
      details: {
        fields: [{ field: 'cursor', problems: ['cursor is not a nextCursor this list returned'] }],
      },
    });
  }
  return { limit, before: Number(match[2]) };
}

/** Cuts a page fetched with one row too many; the extra row only says that there is more. */
export function paged<R extends { position: number }>(
  list: string,
  rows: R[],
  page: Page,
): { rows: R[]; nextCursor: string | null } {
  if (rows.length <= page.limit) return { rows, nextCursor: null };
  const kept = rows.slice(0, page.limit);
  return { rows: kept, nextCursor: encodeCursor(list, kept[kept.length - 1].position) };
}

/** SQLite takes no Infinity: the first page reads below the largest safe integer. */
export const beforeParam = (page: Page) =>
  Number.isFinite(page.before) ? page.before : Number.MAX_SAFE_INTEGER;
