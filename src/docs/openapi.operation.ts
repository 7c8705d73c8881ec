import { Json, schemaRef } from './openapi.builders';
import { ErrorCodes, errorResponses, responseHeaders } from './openapi.errors';
import { parameterRef } from './openapi.parameters';

/** One route, as the path modules declare it; `operation` turns it into an OpenAPI Operation. */
export interface OperationSpec {
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  security: ReadonlyArray<Record<string, readonly string[]>>;
  /** Names in components.parameters (path and query); the headers are added. */
  parameters?: readonly string[];
  /** A write: takes an Idempotency-Key and replays the answers it recorded. */
  write?: boolean;
  /** The JSON body, by its name in components.schemas. */
  body?: { schema: string; required: boolean };
  success: { status: number; description: string; schema: string };
  errors: ErrorCodes;
}

export function operation(spec: OperationSpec): Json {
  const write = spec.write ?? false;
  const headers = [...(write ? ['IdempotencyKey'] : []), 'RequestId'];
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: spec.security,
    parameters: [...(spec.parameters ?? []), ...headers].map(parameterRef),
    ...(spec.body
      ? {
          requestBody: {
            required: spec.body.required,
            content: { 'application/json': { schema: schemaRef(spec.body.schema) } },
          },
        }
      : {}),
    responses: {
      [spec.success.status]: {
        description: spec.success.description,
        headers: responseHeaders(spec.success.status, write),
        content: { 'application/json': { schema: schemaRef(spec.success.schema) } },
      },
      ...errorResponses(spec.errors, write),
    },
  };
}
