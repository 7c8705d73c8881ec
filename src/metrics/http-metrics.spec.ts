import { HttpMetrics, LATENCY_BOUNDS } from './http-metrics';
import { PrometheusText } from './prometheus-text';

function exposition(metrics: HttpMetrics): string[] {
  const text = new PrometheusText();
  metrics.write(text);
  return text.toString().split('\n');
}

describe('HttpMetrics', () => {
  it('counts answers by route pattern, method and status, refusals by code, and replays apart', () => {
    const metrics = new HttpMetrics();
    metrics.record('POST', '/v1/redemptions', 201, 0.004, false);
    metrics.record('POST', '/v1/redemptions', 201, 0.003, true);
    metrics.record('POST', '/v1/redemptions', 422, 0.002, false, 'INSUFFICIENT_POINTS');
    metrics.record('POST', '/v1/redemptions', 422, 0.002, false, 'OFFER_UNAVAILABLE');
    metrics.record('POST', '/v1/redemptions', 422, 0.002, false, 'INSUFFICIENT_POINTS');
    metrics.record('GET', '/v1/redemptions/:id', 200, 0.0005, false);
    const lines = exposition(metrics);
    expect(lines).toEqual(
      expect.arrayContaining([
        'ledger_http_requests_total{method="POST",route="/v1/redemptions",status="201"} 2',
        'ledger_http_requests_total{method="POST",route="/v1/redemptions",status="422"} 3',
        'ledger_http_errors_total{method="POST",route="/v1/redemptions",code="INSUFFICIENT_POINTS"} 2',
        'ledger_http_errors_total{method="POST",route="/v1/redemptions",code="OFFER_UNAVAILABLE"} 1',
        'ledger_http_requests_total{method="GET",route="/v1/redemptions/:id",status="200"} 1',
        'ledger_idempotent_replays_total{method="POST",route="/v1/redemptions"} 1',
        'ledger_http_request_duration_seconds_count{method="POST",route="/v1/redemptions"} 5',
        'ledger_http_request_duration_seconds_count{method="GET",route="/v1/redemptions/:id"} 1',
      ]),
    );
    // A route without replays has no replay sample, one without refusals no error sample.
    expect(lines.filter((l) => l.startsWith('ledger_idempotent_replays_total{'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('ledger_http_errors_total{'))).toHaveLength(2);
  });

  it('puts an answer in the first bucket whose bound it does not exceed, and past 10 s in +Inf alone', () => {
    const metrics = new HttpMetrics();
    const bucketLine = (le: string) =>
      `ledger_http_request_duration_seconds_bucket{method="GET",route="/r",le="${le}"}`;
    metrics.record('GET', '/r', 200, LATENCY_BOUNDS[0], false); // exactly the bound: in it
    metrics.record('GET', '/r', 200, 0.0011, false);
    metrics.record('GET', '/r', 200, 11, false);
    const lines = exposition(metrics);
    const cumulative = (le: string) =>
      Number(lines.find((l) => l.startsWith(`${bucketLine(le)} `))?.split(' ')[1]);
    expect(cumulative('0.001')).toBe(1);
    expect(cumulative('0.0025')).toBe(2);
    expect(cumulative('10')).toBe(2);
    expect(cumulative('+Inf')).toBe(3);
    expect(lines).toContain(
      'ledger_http_request_duration_seconds_sum{method="GET",route="/r"} ' +
        String(0.001 + 0.0011 + 11),
    );
  });
});
