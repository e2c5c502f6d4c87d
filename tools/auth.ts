/**
 * `npm run auth -- …`: the token service's keys and clients.
 *
 *   keys list                              the live keys (kid, alg; the first signs)
 *   keys add [--alg EdDSA|RS256]           publishes a new key that signs nothing yet
 *   keys promote                           the added key signs; the previous one only verifies
 *   keys retire                            drops every key but the signing one
 *   keys rotate [--alg EdDSA|RS256]        add and promote at once (verifiers that cache the
 *                                          JWKS may refuse new tokens until they fetch it again)
 *   clients list
 *   clients add --id ID --name NAME --grants client_credentials[,…] [--roles a,b] [--public]
 *                                          prints a confidential client's secret once
 *   clients rotate-secret --id ID          a new secret (printed once); the old one stops working
 *   clients disable|enable --id ID         a disabled client's tokens are refused within
 *                                          AUTH_SUBJECT_STATUS_CACHE_SECONDS
 *   refresh-tokens purge [--days N]        deletes refresh tokens expired more than N days ago (7)
 *
 * Keys: AUTH_SIGNING_KEYS_FILE, and AUTH_JWKS_FILE (rewritten with the public halves) when set.
 * Clients: written with DATABASE_ADMIN_URL (the gateway's own login may only read them).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import knex from 'knex';
import { SIGNING_ALGORITHMS } from '../gateway/auth/key-files';
import { generateSigningKey, promotedKeys, rotatedKeys, stagedKeys, type SigningAlgorithm } from '../gateway/auth/signing-keys';
import { hashPassword } from '../platform/passwords';
import { readSigningKeys, writeKeyFiles } from './dev-token-keys';

const USAGE = `usage: npm run auth -- keys list|add [--alg EdDSA|RS256]|promote|retire|rotate [--alg EdDSA|RS256]
       npm run auth -- clients list|add --id ID --name NAME --grants G[,G] [--roles R[,R]] [--public]|rotate-secret --id ID|disable --id ID|enable --id ID
       npm run auth -- refresh-tokens purge [--days N]`;

class UsageError extends Error {}

/** What each of auth.clients' constraints asks, for an operator who broke it. */
const CLIENT_RULES: Record<string, string> = {
  clients_pkey: 'a client with this --id exists already',
  clients_id_check: '--id: 2 to 63 characters, lower-case letters, digits and dashes, starting with a letter',
  clients_grant_types_check: '--grants: one or more of password, client_credentials, refresh_token',
  clients_confidential_check: 'a client_credentials client must be confidential (leave out --public)',
};

const list = (text: string | undefined) => (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');

function environment(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '' || value === 'none') throw new UsageError(`${name} is not set: run through npm (npm run auth), which loads the local stack environment`);
  return value;
}

async function newKey(algText: string | undefined) {
  const alg = (algText ?? 'EdDSA') as SigningAlgorithm;
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  return generateSigningKey(alg, `fleet-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`);
}

async function keys(action: string, options: { alg?: string | undefined }): Promise<void> {
  const file = environment('AUTH_SIGNING_KEYS_FILE');
  const jwksFile = process.env.AUTH_JWKS_FILE && process.env.AUTH_JWKS_FILE !== 'none' ? process.env.AUTH_JWKS_FILE : null;
  const current = readSigningKeys(file);
  switch (action) {
    case 'list':
      current.forEach((key, index) => console.log(`${key.kid}\t${key.alg}\t${index === 0 ? 'signing' : 'verifying only'}`));
      return;
    case 'add': {
      const next = stagedKeys(current, await newKey(options.alg));
      writeKeyFiles(file, jwksFile, next);
      console.log(`published ${next[1]!.kid}; promote it once every verifier has fetched the key set again (AUTH_JWKS_CACHE_SECONDS)`);
      return;
    }
    case 'promote': {
      const next = promotedKeys(current);
      writeKeyFiles(file, jwksFile, next);
      console.log(`signing with ${next[0]!.kid}; ${next[1]!.kid} still verifies until retired`);
      return;
    }
    case 'rotate': {
      const next = rotatedKeys(current, await newKey(options.alg));
      writeKeyFiles(file, jwksFile, next);
      console.log(`signing with ${next[0]!.kid}; ${next[1]?.kid ?? 'no other key'} still verifies until retired`);
      return;
    }
    case 'retire':
      writeKeyFiles(file, jwksFile, current.slice(0, 1));
      console.log(`retired: ${current.slice(1).map((key) => key.kid).join(', ') || 'nothing (one key only)'}`);
      return;
    default:
      throw new UsageError(USAGE);
  }
}

async function clients(action: string, options: Record<string, string | boolean | undefined>): Promise<void> {
  const db = knex({ client: 'pg', connection: environment('DATABASE_ADMIN_URL'), pool: { min: 0, max: 1 } });
  try {
    const id = typeof options.id === 'string' ? options.id : undefined;
    const requireId = () => {
      if (id === undefined) throw new UsageError(`--id is required\n${USAGE}`);
      return id;
    };
    const changed = async (count: number) => {
      if (count === 0) throw new UsageError(`no client ${id}`);
    };
    switch (action) {
      case 'list': {
        const rows = await db('auth.clients')
          .orderBy('client_id')
          .select<{ client_id: string; display_name: string; grant_types: string[]; roles: string[]; status: string; confidential: boolean }[]>(
            'client_id',
            'display_name',
            'grant_types',
            'roles',
            'status',
            db.raw('secret_hash IS NOT NULL AS confidential'),
          );
        for (const row of rows) {
          console.log([row.client_id, row.status, row.confidential ? 'confidential' : 'public', row.grant_types.join(','), row.roles.join(',') || '-', row.display_name].join('\t'));
        }
        return;
      }
      case 'add': {
        const secret = options.public === true ? null : randomBytes(32).toString('base64url');
        await db('auth.clients')
          .insert({
            client_id: requireId(),
            display_name: typeof options.name === 'string' ? options.name : requireId(),
            secret_hash: secret === null ? null : await hashPassword(secret),
            grant_types: list(options.grants as string | undefined),
            roles: list(options.roles as string | undefined),
          })
          .catch((error: unknown) => {
            const rule = CLIENT_RULES[(error as { constraint?: string }).constraint ?? ''];
            throw rule === undefined ? error : new UsageError(rule);
          });
        console.log(secret === null ? `public client ${id} added` : `client ${id} added; its secret (shown once):\n${secret}`);
        return;
      }
      case 'rotate-secret': {
        const secret = randomBytes(32).toString('base64url');
        await changed(await db('auth.clients').where({ client_id: requireId() }).update({ secret_hash: await hashPassword(secret), updated_at: db.fn.now() }));
        console.log(`client ${id}: new secret (shown once):\n${secret}`);
        return;
      }
      case 'disable':
      case 'enable':
        await changed(await db('auth.clients').where({ client_id: requireId() }).update({ status: action === 'disable' ? 'disabled' : 'active', updated_at: db.fn.now() }));
        console.log(`client ${id} ${action}d`);
        return;
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await db.destroy();
  }
}

/** Expired refresh tokens are kept a while (a reuse after expiry still finds its family), then deleted. */
async function purgeRefreshTokens(action: string, daysText: string | undefined): Promise<void> {
  if (action !== 'purge') throw new UsageError(USAGE);
  const days = Number(daysText ?? '7');
  if (!Number.isInteger(days) || days < 0 || days > 3650) throw new UsageError('--days must be a whole number of days from 0 to 3650');
  const db = knex({ client: 'pg', connection: environment('DATABASE_ADMIN_URL'), pool: { min: 0, max: 1 } });
  try {
    const deleted = await db('auth.refresh_tokens').where('expires_at', '<', db.raw("now() - make_interval(days => ?)", [days])).delete();
    console.log(`deleted ${deleted} refresh tokens expired more than ${days} days ago`);
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      alg: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      grants: { type: 'string' },
      roles: { type: 'string' },
      public: { type: 'boolean' },
      days: { type: 'string' },
    },
  });
  const [area, action = ''] = positionals;
  if (area === 'keys') return keys(action, values);
  if (area === 'clients') return clients(action, values);
  if (area === 'refresh-tokens') return purgeRefreshTokens(action, values.days);
  throw new UsageError(USAGE);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
