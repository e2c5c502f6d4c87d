/**
 * `npm run token -- --sub ID [--roles a,b] [--permissions x,y] [--ttl SECONDS]`: prints a
 * development token signed with the local stack's key, alone on its last line, for curl:
 *
 *   TOKEN=$(npm run -s token -- --sub 3c1f… --roles fleet_manager | tail -n 1)
 */
import { parseArgs } from 'node:util';
import { ensureDevKeys, signDevToken } from './dev-token-keys';

const TTL_SECONDS_MAX = 24 * 60 * 60;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      permissions: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const list = (text: string) => text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const ttl = Number(values.ttl);
  if (!values.sub) throw new Error('usage: npm run token -- --sub ID [--roles a,b] [--permissions x,y] [--ttl SECONDS]');
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > TTL_SECONDS_MAX) throw new Error(`--ttl must be an integer from 1 to ${TTL_SECONDS_MAX}`);
  const { STACK_DIR, AUTH_ISSUER, AUTH_AUDIENCE } = process.env;
  if (!STACK_DIR || !AUTH_ISSUER || !AUTH_AUDIENCE) throw new Error('run through npm (npm run token), which loads the local stack environment');
  const key = await ensureDevKeys(STACK_DIR);
  console.log(
    await signDevToken(key, {
      subject: values.sub,
      roles: list(values.roles),
      permissions: list(values.permissions),
      issuer: AUTH_ISSUER,
      audience: AUTH_AUDIENCE,
      expiresInSeconds: ttl,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
