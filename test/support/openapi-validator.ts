import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { isEmail, isURL } from 'class-validator';

type Json = { [key: string]: any };

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Where the document's component schemas live once handed to Ajv. */
const SCHEMAS_ID = 'urn:points-ledger:openapi-schemas';

/** `#/components/schemas/X` as Ajv finds it: the components are one schema of their own. */
function rehome(schema: unknown): Json {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`),
  );
}

/** An operation of the document with what matching a request to it needs. */
export interface DocumentedOperation {
  method: string;
  path: string;
  operation: Json;
  /** Path-level and operation-level parameters, resolved. */
  parameters: Json[];
  pattern: RegExp;
  pathParameters: string[];
}

/** The object a local `$ref` points at, or undefined. */
export function resolvePointer(document: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: any = document;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node && typeof node === 'object' ? node : undefined;
}

/**
 * Checks requests and answers against an OpenAPI 3.1 document with Ajv in draft 2020-12 mode,
 * strict: a schema keyword Ajv does not know is an error, not something silently ignored.
 */
export class OpenApiValidator {
  readonly ajv: Ajv2020;
  readonly operations: DocumentedOperation[];
  private readonly compiled = new WeakMap<object, ValidateFunction>();

  constructor(readonly document: Json) {
    this.ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    // The rules the edge applies (class-validator's IsEmail and IsUrl with the DTOs' options).
    this.ajv.addFormat('email', (value: string) => isEmail(value));
    this.ajv.addFormat('uri', (value: string) =>
      isURL(value, { require_protocol: true, require_tld: false }),
    );
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: rehome(document.components.schemas) });
    this.operations = this.listOperations();
  }

  /** Follows a `$ref` of the document (a parameter, a header), or returns the object itself. */
  deref(node: Json): Json {
    if (typeof node.$ref !== 'string') return node;
    const target = resolvePointer(this.document, node.$ref);
    if (!target) throw new Error(`Unresolved $ref ${node.$ref}`);
    return target;
  }

  validator(schema: Json): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(rehome(schema));
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  /** What is wrong with `value` under `schema`, one line per problem; empty when it is valid. */
  problems(schema: Json, value: unknown, where: string): string[] {
    const validate = this.validator(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  /** The operation a request goes to: a literal segment wins over a template. */
  find(method: string, path: string): DocumentedOperation | undefined {
    return this.operations
      .filter((op) => op.method === method.toLowerCase() && op.pattern.test(path))
      .sort((a, b) => a.pathParameters.length - b.pathParameters.length)[0];
  }

  private listOperations(): DocumentedOperation[] {
    const found: DocumentedOperation[] = [];
    for (const [path, item] of Object.entries<Json>(this.document.paths)) {
      const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const source = `^${path.replace(/\{[^}]+\}/g, '([^/]+)')}$`;
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(
          (p: Json) => this.deref(p),
        );
        found.push({
          method,
          path,
          operation,
          parameters,
          pattern: new RegExp(source),
          pathParameters,
        });
      }
    }
    return found;
  }
}

/**
 * A query or header value as its schema types it: OpenAPI serializes integers and booleans as
 * text. Only the plain spellings convert, so `01` or `TRUE` stay text and fail an integer or a
 * boolean.
 */
export function typedValue(schema: Json, text: string): unknown {
  if (schema.type === 'integer' && /^(0|-?[1-9]\d*)$/.test(text)) return Number(text);
  if (schema.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}
