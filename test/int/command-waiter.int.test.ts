import { Redis } from 'ioredis';
import { RESULTS_CHANNEL, CommandWaiter } from '../../gateway/commands/command-results';
import { uniqueName } from '../support/names';
import { stackEnv } from '../support/stack-env';

/**
 * Prefer: wait across gateway instances: the instance that applies a command's result announces
 * it on Redis, and the instance holding the waiting request wakes at once, not at its deadline.
 */
const env = stackEnv();

describe('waiting for a command outcome across instances', () => {
  const waitingInstance = new CommandWaiter(new Redis(env.redisUrl.toString()));
  const announcingInstance = new Redis(env.redisUrl.toString());

  beforeAll(() => waitingInstance.start());
  afterAll(async () => {
    await waitingInstance.stop();
    announcingInstance.disconnect();
  });

  it("wakes on another instance's announcement and reads the outcome then, before the deadline", async () => {
    const commandId = uniqueName('command');
    let outcome: string | undefined;
    let reads = 0;
    const read = async () => {
      reads += 1;
      if (reads === 1) {
        // The result lands and is announced by the other instance after the first read.
        outcome = 'accepted';
        await announcingInstance.publish(RESULTS_CHANNEL, commandId);
      }
      return reads === 1 ? undefined : outcome;
    };

    // A deadline far beyond the test's own timeout: only the wake-up can finish this test.
    const answer = await waitingInstance.waitFor(commandId, 600_000, read);

    // Two reads: the first, and the one the announcement caused.
    expect({ answer, reads }).toEqual({ answer: 'accepted', reads: 2 });
  });

  it('gives up at the deadline with a last read, when no announcement comes', async () => {
    let reads = 0;
    const answer = await waitingInstance.waitFor(uniqueName('command'), 200, async () => {
      reads += 1;
      return undefined;
    });
    expect({ answer, reads }).toEqual({ answer: undefined, reads: 2 });
  });
});
