import { escapeLabelValue, PrometheusText } from './prometheus-text';

describe('PrometheusText', () => {
  it('writes each family as HELP, TYPE and its samples, labels in the order given', () => {
    const text = new PrometheusText()
      .gauge('g', 'A gauge.', [{ value: 1 }, { labels: { a: 'x', b: 'y' }, value: -2.5 }])
      .counter('c_total', 'A counter.', [{ labels: { route: '/v1/x/:id' }, value: 3 }])
      .toString();
    expect(text).toBe(
      [
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g 1',
        'g{a="x",b="y"} -2.5',
        '# HELP c_total A counter.',
        '# TYPE c_total counter',
        'c_total{route="/v1/x/:id"} 3',
        '',
      ].join('\n'),
    );
  });

  it('writes a histogram with cumulative buckets, +Inf, sum and count', () => {
    const text = new PrometheusText()
      .histogram('h', 'A histogram.', [
        { labels: { m: 'GET' }, bounds: [0.1, 1], counts: [2, 0, 3], sum: 12.5 },
      ])
      .toString();
    expect(text.split('\n')).toEqual([
      '# HELP h A histogram.',
      '# TYPE h histogram',
      'h_bucket{m="GET",le="0.1"} 2',
      'h_bucket{m="GET",le="1"} 2',
      'h_bucket{m="GET",le="+Inf"} 5',
      'h_sum{m="GET"} 12.5',
      'h_count{m="GET"} 5',
      '',
    ]);
  });

  it('escapes label values and HELP text as the format asks, and spells infinities and NaN', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = new PrometheusText()
      .gauge('g', 'back\\slash\nnewline', [
        { labels: { l: '"q"' }, value: Infinity },
        { value: -Infinity },
        { value: NaN },
      ])
      .toString();
    expect(text.split('\n')).toEqual([
      '# HELP g back\\\\slash\\nnewline',
      '# TYPE g gauge',
      'g{l="\\"q\\""} +Inf',
      'g -Inf',
      'g NaN',
      '',
    ]);
  });

  it('writes a family with no samples as its HELP and TYPE alone', () => {
    expect(new PrometheusText().counter('c_total', 'None yet.', []).toString()).toBe(
      '# HELP c_total None yet.\n# TYPE c_total counter\n',
    );
  });
});
