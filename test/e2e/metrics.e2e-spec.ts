import { createOffer, credit, memberToken } from '../support/fixtures';
import { api, KEYS, startTestApp, TestApp } from '../support/test-app';

/** One sample line of the exposition: `name{labels} value`. */
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$/;

/** The exposition's samples by `name{labels}`, after checking every line's syntax and family. */
function parse(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const type = /^# TYPE (\S+) (gauge|counter|histogram)$/.exec(line);
    if (type) typed.add(type[1]);
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) \S+ .+$/);
      continue;
    }
    const sample = SAMPLE.exec(line);
    expect(sample).not.toBeNull();
    const [, name, , value] = sample!;
    // A sample belongs to a family declared before it (a histogram's have suffixes).
    expect(typed.has(name) || typed.has(name.replace(/_(bucket|sum|count)$/, ''))).toBe(true);
    samples.set(line.slice(0, line.length - value.length - 1), Number(value));
  }
  return samples;
}

describe('GET /metrics (e2e)', () => {
  let t: TestApp;
  const scrape = (headers: Record<string, string>) => fetch(`${t.baseUrl}/metrics`, { headers });
  const operator = { Authorization: `Bearer ${KEYS.operator}` };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers an operator key only: 401 without a valid credential, 403 for an organization or a member', async () => {
    const ok = await scrape(operator);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(ok.headers.get('x-request-id')).toBeTruthy();
    parse(await ok.text());

    for (const headers of [{}, { Authorization: 'Bearer pl_operator_wrong' }] as Array<
      Record<string, string>
    >) {
      const response = await scrape(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="points-ledger"');
    }
    const token = await memberToken(api(t.baseUrl, KEYS.acmeSandbox), 'metrics-member');
    for (const headers of [
      { Authorization: `Bearer ${KEYS.acmeSandbox}` },
      { 'X-API-Key': KEYS.acmeLive },
      { Authorization: `Bearer ${token}` },
    ] as Array<Record<string, string>>) {
      const response = await scrape(headers);
      expect(response.status).toBe(403);
      expect(((await response.json()) as any).error.code).toBe('FORBIDDEN');
    }
  });

  it('counts answers by route pattern and status, refusals by code, with their latency and the replays', async () => {
    const org = api(t.baseUrl, KEYS.globexSandbox);
    const offer = await createOffer(org, { maxPerMember: 10 });
    await credit(org, 'counted', 1000);
    const redeem = () =>
      org(
        'POST',
        '/v1/redemptions',
        { offer, externalUserID: 'counted' },
        { 'Idempotency-Key': 'metrics-redemption-1' },
      );
    const first = await redeem();
    const replay = await redeem();
    expect([first.status, replay.status]).toEqual([201, 201]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await org('GET', `/v1/redemptions/${first.body.id}`)).status).toBe(200);
    expect((await org('GET', '/v1/redemptions/no-such-redemption')).status).toBe(404);
    expect((await org('GET', '/no-such-route')).status).toBe(404);
    // The router refuses these before any route or hook (a bad escape, a too long parameter).
    for (const path of ['/v1/redemptions/%ZZ', `/v1/members/${'a'.repeat(1600)}`]) {
      const refused = await fetch(`${t.baseUrl}${path}`, {
        headers: { Authorization: `Bearer ${KEYS.globexSandbox}` },
      });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'BAD_REQUEST',
      );
      expect(refused.headers.get('x-request-id')).toBeTruthy();
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const tooDear = await org(
      'POST',
      '/v1/redemptions',
      { offer: await createOffer(org, { pointsPrice: 5000 }), externalUserID: 'counted' },
      { 'Idempotency-Key': 'metrics-redemption-2' },
    );
    expect(tooDear.body.error.code).toBe('INSUFFICIENT_POINTS');

    const samples = parse(await (await scrape(operator)).text());
    const redemptions = 'method="POST",route="/v1/redemptions"';
    const byId = 'method="GET",route="/v1/redemptions/:id"';
    expect(samples.get(`ledger_http_requests_total{${redemptions},status="201"}`)).toBe(2);
    expect(samples.get(`ledger_http_requests_total{${redemptions},status="422"}`)).toBe(1);
    expect(samples.get(`ledger_idempotent_replays_total{${redemptions}}`)).toBe(1);
    expect(samples.get(`ledger_http_requests_total{${byId},status="200"}`)).toBe(1);
    expect(samples.get(`ledger_http_requests_total{${byId},status="404"}`)).toBe(1);
    // Refusals by the code their answer carried.
    expect(samples.get(`ledger_http_errors_total{${redemptions},code="INSUFFICIENT_POINTS"}`)).toBe(
      1,
    );
    expect(samples.get(`ledger_http_errors_total{${byId},code="NOT_FOUND"}`)).toBe(1);
    expect(
      samples.get('ledger_http_errors_total{method="GET",route="unmatched",code="NOT_FOUND"}'),
    ).toBe(1);
    // The first test's refusals: no credential or a wrong one, a credential that is not an operator's.
    const scrapes = 'method="GET",route="/metrics"';
    expect(samples.get(`ledger_http_errors_total{${scrapes},code="UNAUTHORIZED"}`)).toBe(2);
    expect(samples.get(`ledger_http_errors_total{${scrapes},code="FORBIDDEN"}`)).toBe(3);
    // An unknown path is one series, whatever the path: no label per URL.
    expect(
      samples.get('ledger_http_requests_total{method="GET",route="unmatched",status="404"}'),
    ).toBe(1);
    expect([...samples.keys()].some((key) => key.includes('no-such'))).toBe(false);
    expect(
      samples.get('ledger_http_requests_total{method="GET",route="unmatched",status="400"}'),
    ).toBe(2);
    expect(
      samples.get('ledger_http_errors_total{method="GET",route="unmatched",code="BAD_REQUEST"}'),
    ).toBe(2);

    const histogram = 'ledger_http_request_duration_seconds';
    expect(samples.get(`${histogram}_count{${redemptions}}`)).toBe(3);
    expect(samples.get(`${histogram}_bucket{${redemptions},le="+Inf"}`)).toBe(3);
    expect(samples.get(`${histogram}_sum{${redemptions}}`)).toBeGreaterThan(0);
    const buckets = [...samples]
      .filter(([key]) => key.startsWith(`${histogram}_bucket{${redemptions},`))
      .map(([, value]) => value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b)); // cumulative
  });

  it('shows what /health shows its operator, as numbers', async () => {
    const health = (await api(t.baseUrl, KEYS.operator)('GET', '/health')).body;
    const samples = parse(await (await scrape(operator)).text());
    expect(samples.get('ledger_info{event_store="sqlite"}')).toBe(1);
    expect(samples.get('ledger_degraded')).toBe(0);
    expect(samples.get('ledger_projection_engine_failing')).toBe(0);
    expect(samples.get('ledger_database_file_failing')).toBe(0);
    // Nothing was written between the two: the same head.
    const head = samples.get('ledger_event_store_head_position')!;
    expect(head).toBe(Number(health.eventStore.headPosition));
    expect(head).toBeGreaterThan(0);
    for (const { name } of health.projections as Array<{ name: string }>) {
      const checkpoint = samples.get(
        `ledger_projection_checkpoint_position{projection="${name}"}`,
      )!;
      expect(checkpoint).toBeGreaterThanOrEqual(-1);
      expect(samples.get(`ledger_projection_lag_events{projection="${name}"}`)).toBe(
        head - Math.max(checkpoint, 0),
      );
      expect(samples.get(`ledger_projection_stopped{projection="${name}"}`)).toBe(0);
    }
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });
});
