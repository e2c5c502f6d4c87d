import { formatLogLine } from '../../tools/dev-log-format';

describe('the development log formatter', () => {
  it('turns a pino JSON line into time, level, message and the remaining fields', () => {
    const line = JSON.stringify({ level: 'info', time: '2026-11-23T12:34:56.789Z', service: 'gateway', msg: 'gateway listening', url: 'http://127.0.0.1:8080' });
    expect(formatLogLine('gateway', line)).toBe('gateway | 12:34:56 INFO  gateway listening  url=http://127.0.0.1:8080');
  });

  it('passes lines that are not JSON objects through with the prefix', () => {
    expect(formatLogLine('fleet', 'Error: boom')).toBe('fleet | Error: boom');
    expect(formatLogLine('fleet', '42')).toBe('fleet | 42');
  });
});
