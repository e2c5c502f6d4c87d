import { Lifecycle } from '../../platform/lifecycle';
import { silentLogger } from '../support/silent-logger';

describe('graceful shutdown', () => {
  it('stops components in the reverse order of their start, each awaited in turn', async () => {
    const lifecycle = new Lifecycle(silentLogger, 1_000);
    const stopped: string[] = [];
    const stopAfter = (name: string, delayMs: number) => async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      stopped.push(name);
    };
    lifecycle.onShutdown('database', stopAfter('database', 1));
    lifecycle.onShutdown('consumer', stopAfter('consumer', 20));
    lifecycle.onShutdown('http', stopAfter('http', 5));

    const result = await lifecycle.shutdown('SIGTERM');

    expect(stopped).toEqual(['http', 'consumer', 'database']);
    expect(result).toEqual({ reason: 'SIGTERM', timedOut: false, failed: [] });
  });

  it('gives up on a component that does not stop within the shutdown timeout', async () => {
    const lifecycle = new Lifecycle(silentLogger, 1_000);
    lifecycle.onShutdown('stuck', () => new Promise<void>(() => undefined));

    const result = await lifecycle.shutdown('SIGINT');

    expect(result).toEqual({ reason: 'SIGINT', timedOut: true, failed: [] });
  });

  it('keeps stopping the others when one fails, and reports the failure', async () => {
    const lifecycle = new Lifecycle(silentLogger, 1_000);
    const stopped: string[] = [];
    lifecycle.onShutdown('first', async () => void stopped.push('first'));
    lifecycle.onShutdown('broken', () => Promise.reject(new Error('connection reset')));

    const result = await lifecycle.shutdown('SIGTERM');

    expect(stopped).toEqual(['first']);
    expect(result).toEqual({ reason: 'SIGTERM', timedOut: false, failed: ['broken'] });
  });

  it('runs the shutdown once however often it is asked', async () => {
    const lifecycle = new Lifecycle(silentLogger, 1_000);
    let stops = 0;
    lifecycle.onShutdown('counter', async () => void (stops += 1));

    const [first, second] = await Promise.all([lifecycle.shutdown('SIGTERM'), lifecycle.shutdown('SIGINT')]);

    expect(stops).toBe(1);
    expect(second).toBe(first);
    expect(lifecycle.shuttingDown).toBe(true);
  });
});
