import { DocumentedOperation, OpenApiValidator, typedValue } from './openapi-validator';

type Json = { [key: string]: any };

/** Headers only some answers carry: present where the document does not declare them is drift. */
const DECLARED_ONLY = ['idempotent-replayed', 'retry-after', 'www-authenticate'];

/** Statuses that refuse a request before the route's rules run, or instead of them. */
const EARLY_REFUSALS = [400, 401, 403, 413, 415, 429];

export interface ContractRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The body as sent: JSON text, or undefined for none. */
  body: string | undefined;
}

export interface ContractResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Why a request the document accepts is refused with 400 VALIDATION_FAILED all the same. */
export interface ContractOptions {
  refusedBeyondSchema?: string;
}

/** What the document says is wrong with a request: its path, query, headers and body. */
export function requestProblems(
  validator: OpenApiValidator,
  op: DocumentedOperation,
  request: ContractRequest,
): string[] {
  const problems: string[] = [];
  const values = op.pattern.exec(request.url.pathname)!.slice(1);
  op.pathParameters.forEach((name, i) => {
    const parameter = op.parameters.find((p) => p.in === 'path' && p.name === name);
    if (!parameter) problems.push(`path parameter ${name} is not declared`);
    else
      problems.push(...validator.problems(parameter.schema, decodeURIComponent(values[i]), name));
  });
  const query = request.url.searchParams;
  for (const parameter of op.parameters.filter((p) => p.in === 'query')) {
    const sent = query.getAll(parameter.name);
    if (sent.length === 0 && parameter.required) problems.push(`query ${parameter.name} missing`);
    if (sent.length > 1) problems.push(`query ${parameter.name} sent twice`);
    for (const text of sent)
      problems.push(
        ...validator.problems(parameter.schema, typedValue(parameter.schema, text), parameter.name),
      );
  }
  // The /v1 routes refuse a query parameter they do not list (docs/api.md, Read routes).
  if (op.path.startsWith('/v1/')) {
    for (const name of new Set(query.keys()))
      if (!op.parameters.some((p) => p.in === 'query' && p.name === name))
        problems.push(`query ${name} is not a parameter of the route`);
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  for (const parameter of op.parameters.filter((p) => p.in === 'header')) {
    const text = headers[parameter.name.toLowerCase()];
    if (text !== undefined)
      problems.push(
        ...validator.problems(parameter.schema, typedValue(parameter.schema, text), parameter.name),
      );
  }
  problems.push(...bodyProblems(validator, op, request.body));
  return problems;
}

function bodyProblems(
  validator: OpenApiValidator,
  op: DocumentedOperation,
  body: string | undefined,
): string[] {
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    return []; // not JSON: the app's 400 BAD_REQUEST, which no schema states
  }
  const schema = op.operation.requestBody?.content?.['application/json']?.schema;
  if (!schema) {
    const empty =
      parsed == null || (typeof parsed === 'object' && Object.keys(parsed).length === 0);
    return empty ? [] : ['the route takes no body'];
  }
  // No body at all is taken as one without fields (docs/api.md, conventions); a JSON null is a
  // body that is not an object, refused where a body is taken.
  return validator.problems(schema, body === undefined ? {} : parsed, 'body');
}

/** What the document says is wrong with an answer to `op`: its status, headers and body. */
export function responseProblems(
  validator: OpenApiValidator,
  op: DocumentedOperation,
  response: ContractResponse,
): string[] {
  const declared = op.operation.responses[String(response.status)];
  if (!declared) {
    const statuses = Object.keys(op.operation.responses).join(', ');
    return [`status ${response.status} is not documented (documented: ${statuses})`];
  }
  const problems: string[] = [];
  const headers = Object.fromEntries(
    Object.entries<Json>(declared.headers ?? {}).map(([name, h]) => [
      name.toLowerCase(),
      validator.deref(h),
    ]),
  );
  for (const [name, header] of Object.entries(headers)) {
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`header ${name} missing`);
      continue;
    }
    problems.push(...validator.problems(header.schema, typedValue(header.schema, value), name));
  }
  for (const name of DECLARED_ONLY)
    if (response.headers.has(name) && !headers[name])
      problems.push(`header ${name} sent but not documented for ${response.status}`);

  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const content = declared.content?.[mediaType];
  if (!content) return [...problems, `content type ${mediaType || 'none'} is not documented`];
  const body = mediaType === 'application/json' ? JSON.parse(response.text) : response.text;
  return [...problems, ...validator.problems(content.schema, body, 'response')];
}

/**
 * How a request's verdict and the app's answer must agree: a request the document refuses is
 * refused before its route acts, and one it accepts is not refused for its shape, unless the test
 * names the rule (an org key must name the member; `to` after `from`) that no schema states.
 */
export function verdictProblems(
  refused: string[],
  response: ContractResponse,
  options: ContractOptions,
): string[] {
  if (refused.length > 0) {
    if (options.refusedBeyondSchema)
      return [`refusedBeyondSchema, yet the document refuses it: ${refused.join('; ')}`];
    return EARLY_REFUSALS.includes(response.status)
      ? []
      : [`the document refuses the request (${refused.join('; ')}); the app answered it`];
  }
  const code = response.status === 400 ? JSON.parse(response.text)?.error?.code : undefined;
  if (code === 'VALIDATION_FAILED' && !options.refusedBeyondSchema)
    return [`the app refused a request the document accepts: ${response.text}`];
  return [];
}
