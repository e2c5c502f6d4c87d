import { Metrics } from '../../platform/metrics';

describe('Metrics', () => {
  it('counts per label set, sums across them and renders the Prometheus text format', () => {
    const metrics = new Metrics();
    const retried = metrics.counter('consumer_messages_retried_total', 'Messages sent to the retry topic');
    retried.inc({ group: 'fleet-processor', error_class: 'handler/TypeError' });
    retried.inc({ error_class: 'handler/TypeError', group: 'fleet-processor' }, 2);
    retried.inc({ group: 'rental-processor', error_class: 'handler/TypeError' });
    metrics.gauge('consumer_breaker_open', 'Breaker state').set({ group: 'fleet-processor' }, 1);

    expect(metrics.value('consumer_messages_retried_total', { group: 'fleet-processor', error_class: 'handler/TypeError' })).toBe(3);
    expect(metrics.sum('consumer_messages_retried_total')).toBe(4);
    expect(metrics.sum('consumer_messages_retried_total', { group: 'rental-processor' })).toBe(1);
    expect(metrics.value('consumer_messages_dead_lettered_total', { group: 'x' })).toBe(0);
    expect(metrics.render()).toBe(
      [
        '# HELP consumer_messages_retried_total Messages sent to the retry topic',
        '# TYPE consumer_messages_retried_total counter',
        'consumer_messages_retried_total{group="fleet-processor",error_class="handler/TypeError"} 3',
        'consumer_messages_retried_total{group="rental-processor",error_class="handler/TypeError"} 1',
        '# HELP consumer_breaker_open Breaker state',
        '# TYPE consumer_breaker_open gauge',
        'consumer_breaker_open{group="fleet-processor"} 1',
        '',
      ].join('\n'),
    );
  });

  it('refuses a counter going down and a name reused for another kind', () => {
    const metrics = new Metrics();
    expect(() => metrics.counter('a_total', 'a').inc({}, -1)).toThrow(RangeError);
    expect(() => metrics.gauge('a_total', 'a')).toThrow('metric a_total is a counter, not a gauge');
  });

  it('counts observations into cumulative buckets with their sum and count', () => {
    const metrics = new Metrics();
    const latency = metrics.histogram('http_request_duration_seconds', 'Time to answer', [0.1, 1]);
    latency.observe({ route: '/v1/reports' }, 0.05);
    latency.observe({ route: '/v1/reports' }, 0.5);
    latency.observe({ route: '/v1/reports' }, 3);
    expect(metrics.observations('http_request_duration_seconds', { route: '/v1/reports' })).toBe(3);
    expect(metrics.render()).toBe(
      [
        '# HELP http_request_duration_seconds Time to answer',
        '# TYPE http_request_duration_seconds histogram',
        'http_request_duration_seconds_bucket{route="/v1/reports",le="0.1"} 1',
        'http_request_duration_seconds_bucket{route="/v1/reports",le="1"} 2',
        'http_request_duration_seconds_bucket{route="/v1/reports",le="+Inf"} 3',
        'http_request_duration_seconds_sum{route="/v1/reports"} 3.55',
        'http_request_duration_seconds_count{route="/v1/reports"} 3',
        '',
      ].join('\n'),
    );
    expect(() => metrics.histogram('b_seconds', 'b', [1, 1])).toThrow('histogram b_seconds needs ascending buckets');
  });
});
