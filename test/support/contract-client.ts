import {
  ContractOptions,
  requestProblems,
  responseProblems,
  verdictProblems,
} from './openapi-contract';
import { OpenApiValidator } from './openapi-validator';

export interface ContractAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text of another media type. */
  body: any;
}

export type ContractCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
  options?: ContractOptions,
) => Promise<ContractAnswer>;

/**
 * An HTTP client that holds every exchange to the OpenAPI document: the request goes to a
 * documented operation, the status is one the operation declares, the headers and the body match
 * what it declares for that status, and the app and the document agree on whether the request is
 * well formed. Any disagreement throws, naming it. It also counts the statuses each operation
 * answered, so that a scenario can show it reached every route.
 */
export class ContractClient {
  private readonly answered = new Map<string, Set<number>>();

  constructor(
    private readonly baseUrl: string,
    readonly validator: OpenApiValidator,
  ) {}

  /** Calls made with `credential` as `Authorization: Bearer`, or with none. */
  as(credential?: string): ContractCall {
    return (method, path, body, headers = {}, options = {}) =>
      this.send(credential, method, path, body, headers, options);
  }

  /** The operations never answered with a success. */
  operationsWithoutSuccess(): string[] {
    return this.validator.operations
      .map((op) => op.operation.operationId as string)
      .filter((id) => ![...(this.answered.get(id) ?? [])].some((s) => s >= 200 && s < 300));
  }

  private async send(
    credential: string | undefined,
    method: string,
    path: string,
    body: unknown,
    extraHeaders: Record<string, string>,
    options: ContractOptions,
  ): Promise<ContractAnswer> {
    const url = new URL(path, this.baseUrl);
    const op = this.validator.find(method, url.pathname);
    if (!op) throw new Error(`${method} ${url.pathname}: no operation of the document`);
    const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = {
      ...(credential === undefined ? {} : { Authorization: `Bearer ${credential}` }),
      ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...extraHeaders,
    };
    const response = await fetch(url, { method, headers, body: text });
    const answer = {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
    };
    const refused = requestProblems(this.validator, op, { method, url, headers, body: text });
    const problems = [
      ...verdictProblems(refused, answer, options),
      ...responseProblems(this.validator, op, answer),
    ];
    if (problems.length > 0)
      throw new Error(
        `${method} ${path} answered ${answer.status} ${answer.text.slice(0, 500)}\n  ` +
          problems.join('\n  '),
      );
    const id = op.operation.operationId as string;
    if (!this.answered.has(id)) this.answered.set(id, new Set());
    this.answered.get(id)!.add(answer.status);
    const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return {
      status: answer.status,
      headers: answer.headers,
      body: json && answer.text ? JSON.parse(answer.text) : answer.text,
    };
  }
}
