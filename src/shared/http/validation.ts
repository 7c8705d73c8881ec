import {
  ArgumentMetadata,
  BadRequestException,
  ValidationError,
  ValidationPipe,
  ValidationPipeOptions,
} from '@nestjs/common';
import { isPlainObject } from '../domain/values';

export interface FieldError {
  field: string;
  problems: string[];
}

/**
 * A DTO class may offer a cheap check of its common, well-formed body: it returns the DTO only
 * when the full rules would surely accept the body, and undefined to let them run (they then name
 * every failing field). A spec holds each such check to the full rules.
 */
export interface FastAcceptingDto<T> {
  new (): T;
  acceptFast(body: unknown): T | undefined;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function acceptsFast(metatype: unknown): metatype is FastAcceptingDto<unknown> {
  return typeof (metatype as Partial<FastAcceptingDto<unknown>>)?.acceptFast === 'function';
}

const KEPT_AS_SENT = Symbol('keptAsSent');

/**
 * A body field of free JSON (member attributes) reaches the handler exactly as sent. The pipe
 * would change it: Nest deletes keys named `constructor` and `prototype` at any depth, and
 * class-transformer drops keys named like other Object.prototype members (`valueOf`, `toString`).
 */
export const KeptAsSent = (): PropertyDecorator => (target, key) => {
  const keys = (Reflect.getMetadata(KEPT_AS_SENT, target) as (string | symbol)[] | undefined) ?? [];
  Reflect.defineMetadata(KEPT_AS_SENT, [...keys, key], target);
};

/** The fields of `body` its DTO class keeps as sent. */
function keptAsSent(metatype: unknown, body: unknown): string[] {
  if (typeof metatype !== 'function' || !isPlainObject(body)) return [];
  const keys = Reflect.getMetadata(KEPT_AS_SENT, metatype.prototype as object) as
    (string | symbol)[] | undefined;
  return (keys ?? []).filter(
    (key): key is string => typeof key === 'string' && Object.hasOwn(body, key),
  );
}

/** Keys the transform drops before the whitelist can name them: Object.prototype's, `prototype`. */
const isShadowedKey = (key: string): boolean => key === 'prototype' || key in Object.prototype;

/**
 * Fields of `value` with such keys, at any depth but outside the fields kept as sent: unknown
 * fields, which would otherwise be dropped without a word.
 */
function shadowedFields(value: unknown, keptAsSent: readonly string[], path = ''): FieldError[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (Array.isArray(value))
    return value.flatMap((item, index) => shadowedFields(item, [], at(String(index))));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (keptAsSent.includes(key)) return [];
    if (isShadowedKey(key))
      return [{ field: at(key), problems: [`property ${key} should not exist`] }];
    return shadowedFields(child, [], at(key));
  });
}

/** A body that is JSON but not an object: `null` (which Nest would read as `{}`), `[]`, `5`. */
const NOT_AN_OBJECT: FieldError = {
  field: 'body',
  problems: ['Validation failed (object is expected)'],
};

/**
 * Runs a body DTO's fast check first: class-validator costs a hot route about a tenth of its CPU.
 * Fields kept as sent are validated on copies and handed over as sent. Keys named like
 * Object.prototype members are refused as unknown fields, in bodies and queries alike.
 */
class EdgeValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body' && metadata.type !== 'query')
      return super.transform(value, metadata);
    // Refused here, whatever fields the DTO requires: Nest would take `null` for `{}` (PATCH with
    // `null` a silent no-op) and validate `[]` as an object without fields.
    if (metadata.type === 'body' && value !== undefined && !isPlainObject(value))
      throw invalidFields([NOT_AN_OBJECT]);
    if (metadata.type === 'body' && acceptsFast(metadata.metatype)) {
      const accepted = metadata.metatype.acceptFast(value);
      if (accepted !== undefined) return accepted;
    }
    const kept = keptAsSent(metadata.metatype, value);
    const shadowed = shadowedFields(value, kept);
    if (shadowed.length > 0) throw invalidFields(shadowed);
    if (kept.length === 0) return super.transform(value, metadata);
    const body = value as Record<string, unknown>;
    const copies = Object.fromEntries(kept.map((key) => [key, structuredClone(body[key])]));
    const dto: Record<string, unknown> = await super.transform({ ...body, ...copies }, metadata);
    for (const key of kept) dto[key] = body[key];
    return dto;
  }
}

/** The full rules: unknown fields are errors, every failing field is named. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => invalidFields(flatten(errors)),
};

/** The 400 VALIDATION_FAILED that names every failing field. */
export function invalidFields(fields: FieldError[]): BadRequestException {
  return new BadRequestException({
    code: 'VALIDATION_FAILED',
    message: `Invalid request: ${fields.map((f) => f.field).join(', ')}`,
    details: { fields },
  });
}

/** DTO validation at the edge: a DTO's fast check where it has one, else the full rules. */
export function validationPipe(): ValidationPipe {
  return new EdgeValidationPipe(VALIDATION_OPTIONS);
}

/** Whether `body` is a plain object whose keys are all in `allowed`. */
export function isPlainObjectWithin(
  body: unknown,
  allowed: ReadonlySet<string>,
): body is Record<string, unknown> {
  return isPlainObject(body) && Object.keys(body).every((key) => allowed.has(key));
}
