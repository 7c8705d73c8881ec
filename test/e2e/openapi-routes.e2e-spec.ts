import { OPENAPI_DOCUMENT } from '../../src/docs/openapi';
import { SECURITY } from '../../src/docs/openapi.parameters';
import { OpenApiValidator } from '../support/openapi-validator';
import { memberToken } from '../support/fixtures';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

/** A route as Fastify registered it: `GET /v1/offers/{id}`, and who may call it. */
interface Registered {
  route: string;
  access: string;
}

/** The security requirements the document must state for each access a route is registered with. */
const SECURITY_OF_ACCESS: Record<string, ReadonlyArray<unknown>> = {
  public: [SECURITY.public, SECURITY.publicOrOperator],
  'org-only': [SECURITY.orgOnly],
  'operator-only': [SECURITY.operatorOnly],
  'org-or-member': [SECURITY.orgOrMember],
  'any-credential': [SECURITY.anyCredential],
};

const validator = new OpenApiValidator(OPENAPI_DOCUMENT);
const documented = new Map(
  validator.operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op.operation]),
);

/**
 * The document against the routes the app registers, as Fastify's onRoute hook reports them: a
 * route added without its documentation, or documentation left behind by a removed route, fails.
 */
describe('the OpenAPI document and the registered routes (e2e)', () => {
  let t: TestApp;
  const registered: Registered[] = [];

  beforeAll(async () => {
    t = await startTestApp(undefined, {}, (app) => {
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onRoute', (route) => {
          const methods = Array.isArray(route.method) ? route.method : [route.method];
          const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
          const access = (route.config as { access?: string } | undefined)?.access;
          for (const method of methods)
            registered.push({ route: `${method} ${path}`, access: access ?? 'org-or-member' });
        });
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const withoutHead = () => registered.filter(({ route }) => !route.startsWith('HEAD '));

  it('documents every route the app serves, and no other', () => {
    const served = withoutHead().map(({ route }) => route);
    expect(served.length).toBeGreaterThan(20);
    expect([...new Set(served)].sort()).toEqual([...documented.keys()].sort());
  });

  it('answers HEAD exactly where it answers GET, as the document says of every GET', () => {
    const heads = registered.filter(({ route }) => route.startsWith('HEAD ')).map((r) => r.route);
    const gets = registered.filter(({ route }) => route.startsWith('GET ')).map((r) => r.route);
    expect(heads.sort()).toEqual(gets.map((route) => route.replace(/^GET/, 'HEAD')).sort());
    expect(OPENAPI_DOCUMENT.info).toMatchObject({
      description: expect.stringContaining('Every GET also answers HEAD'),
    });
  });

  it('states for each route the credentials its access takes', () => {
    const mismatched = withoutHead().flatMap(({ route, access }) => {
      const security = documented.get(route)?.security;
      return SECURITY_OF_ACCESS[access].some((expected) => equal(expected, security))
        ? []
        : [{ route, access, security }];
    });
    expect(mismatched).toEqual([]);
  });

  it('serves the document at GET /docs to any valid credential, and to no one without one', async () => {
    const get = (headers: Record<string, string> = {}) => fetch(`${t.baseUrl}/docs`, { headers });
    const response = await get({ Authorization: `Bearer ${KEYS.acmeSandbox}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.json()).toEqual(OPENAPI_DOCUMENT);

    const member = await memberToken(api(t.baseUrl, KEYS.acmeSandbox), 'reads-the-docs');
    for (const headers of [
      { Authorization: `Bearer ${member}` } as Record<string, string>,
      { Authorization: `Bearer ${KEYS.operator}` },
      { 'X-API-Key': KEYS.globexSandbox },
    ]) {
      expect([headers, (await get(headers)).status]).toEqual([headers, 200]);
    }
    const none: Record<string, string> = {};
    for (const headers of [none, { Authorization: 'Bearer expys_sandbox_notAKey' }]) {
      const refused = await get(headers);
      expect([headers, refused.status]).toEqual([headers, 401]);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'UNAUTHORIZED',
      );
    }
  });
});

const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
