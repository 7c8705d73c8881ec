/** A piece of the OpenAPI document (a schema, a response, an operation): plain JSON data. */
export type Json = { [key: string]: unknown };

export const schemaRef = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/**
 * An object whose fields the API fixes: every field listed is required unless named in
 * `optional`, and no other field is allowed (a body with one is 400, an answer never has one).
 */
export function closedObject(
  properties: Record<string, Json>,
  options: { optional?: readonly string[]; description?: string } = {},
): Json {
  const optional = options.optional ?? [];
  return {
    type: 'object',
    ...(options.description ? { description: options.description } : {}),
    additionalProperties: false,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
  };
}

/**
 * An object whose fields are not the API's (member attributes, event metadata, error details, the
 * OpenAPI document itself): `additionalProperties: true` said outright, as generators read a bare
 * object as an empty one.
 */
export const openObject: Json = { type: 'object', additionalProperties: true };

/** A request body object: every field optional unless named in `required`, no unknown field. */
export function requestObject(
  properties: Record<string, Json>,
  required: readonly string[] = [],
): Json {
  return closedObject(properties, {
    optional: Object.keys(properties).filter((name) => !required.includes(name)),
  });
}

/** The schema, or null (a JSON Schema type list where it has a type, anyOf around a $ref). */
export function nullable(schema: Json): Json {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return { anyOf: [schema, { type: 'null' }] };
}

export const described = (description: string, schema: Json): Json => ({ ...schema, description });

/** The control characters (Unicode Cc: C0, DEL, C1), as a character class's ranges. */
export const NO_CONTROL = '\\u0000-\\u001F\\u007F-\\u009F';
/** No control character, as every one-line text field requires. */
export const SINGLE_LINE = `^[^${NO_CONTROL}]*$`;
/** Prose (the two descriptions) may also hold tab, line feed and carriage return. */
const MULTI_LINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';

/** A text of `minLength` to `maxLength` characters (code points, as JSON Schema counts them). */
export function text(
  minLength: number,
  maxLength: number,
  lines: 'single-line' | 'multi-line' = 'single-line',
): Json {
  return {
    type: 'string',
    ...(minLength > 0 ? { minLength } : {}),
    maxLength,
    pattern: lines === 'single-line' ? SINGLE_LINE : MULTI_LINE,
  };
}

export const integer = (minimum: number, maximum = Number.MAX_SAFE_INTEGER): Json => ({
  type: 'integer',
  minimum,
  maximum,
});

export const enumOf = (values: readonly string[]): Json => ({ type: 'string', enum: [...values] });
