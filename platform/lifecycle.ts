import type { Logger } from './logger';

interface Stopper {
  readonly name: string;
  readonly stop: () => Promise<void>;
}

export interface ShutdownResult {
  readonly reason: string;
  readonly timedOut: boolean;
  readonly failed: readonly string[];
}

/**
 * Graceful shutdown. Components register how to stop as they start; on shutdown they stop in the
 * reverse order (stop taking work first, close connections last), each awaited in turn, the whole
 * bounded by `shutdownTimeoutMs`. Shutdown runs once however many signals arrive.
 */
export class Lifecycle {
  private readonly stoppers: Stopper[] = [];
  private shutdownPromise: Promise<ShutdownResult> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly shutdownTimeoutMs: number,
  ) {}

  onShutdown(name: string, stop: () => Promise<void>): void {
    this.stoppers.push({ name, stop });
  }

  get shuttingDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  shutdown(reason: string): Promise<ShutdownResult> {
    this.shutdownPromise ??= this.runStoppers(reason);
    return this.shutdownPromise;
  }

  /** SIGTERM and SIGINT shut down and exit: 0 when everything stopped in time, 1 otherwise. */
  exitOnSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        void this.shutdown(signal).then((result) => exit(result.timedOut || result.failed.length > 0 ? 1 : 0));
      });
    }
  }

  private async runStoppers(reason: string): Promise<ShutdownResult> {
    this.logger.info({ reason, shutdownTimeoutMs: this.shutdownTimeoutMs }, 'shutting down');
    const failed: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.shutdownTimeoutMs);
    });
    const stopAll = async (): Promise<'done'> => {
      for (const stopper of [...this.stoppers].reverse()) {
        try {
          await stopper.stop();
          this.logger.debug({ component: stopper.name }, 'stopped');
        } catch (error) {
          failed.push(stopper.name);
          this.logger.error({ component: stopper.name, err: error }, 'stopping failed');
        }
      }
      return 'done';
    };
    const outcome = await Promise.race([stopAll(), deadline]);
    clearTimeout(timer);
    const timedOut = outcome === 'timeout';
    if (timedOut) this.logger.error({ shutdownTimeoutMs: this.shutdownTimeoutMs }, 'shutdown timed out');
    else this.logger.info({ failed }, 'shut down');
    return { reason, timedOut, failed };
  }
}
