import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { publicJwk } from '../gateway/auth/key-files';
import { generateSigningKey, parseSigningKeys } from '../gateway/auth/signing-keys';

/**
 * The local development signing keys: an Ed25519 key made once per stack directory, kept as the
 * token service's key file (AUTH_SIGNING_KEYS_FILE) with its public half beside it as the JWKS
 * the gateway trusts (AUTH_JWKS_FILE). `npm run auth -- keys rotate` rotates both files.
 * Production keys come from a Secret and never from here.
 */
export const DEV_KEY_ID = 'fleet-dev-1';

export function devKeyPaths(stackDir: string): { signingKeys: string; jwks: string } {
  return { signingKeys: path.join(stackDir, 'auth', 'signing-keys.json'), jwks: path.join(stackDir, 'auth', 'jwks.json') };
}

/** Writes a file whole or not at all (a reader following it never sees half a key set). */
function writeAtomically(file: string, content: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, content, { mode });
  renameSync(`${file}.tmp`, file);
}

/** Writes a private key file and, when given, the JWKS of its public halves. */
export function writeKeyFiles(signingKeysFile: string, jwksFile: string | null, keys: readonly JWK[]): void {
  writeAtomically(signingKeysFile, JSON.stringify({ keys }), 0o600);
  if (jwksFile !== null) writeAtomically(jwksFile, JSON.stringify({ keys: keys.map(publicJwk) }, null, 2), 0o644);
}

export function readSigningKeys(file: string): JWK[] {
  return parseSigningKeys(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** The development key set, made if missing; returns the key that signs. */
export async function ensureDevKeys(stackDir: string): Promise<JWK> {
  const paths = devKeyPaths(stackDir);
  if (existsSync(paths.signingKeys)) return readSigningKeys(paths.signingKeys)[0]!;
  const key = await generateSigningKey('EdDSA', DEV_KEY_ID);
  writeKeyFiles(paths.signingKeys, paths.jwks, [key]);
  return key;
}

export interface DevTokenClaims {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  readonly issuer: string;
  readonly audience: string;
  readonly expiresInSeconds: number;
}

export async function signDevToken(privateJwk: JWK, claims: DevTokenClaims): Promise<string> {
  const alg = privateJwk.alg ?? 'EdDSA';
  const key = await importJWK(privateJwk, alg);
  // Without permissions the token names roles only, and the gateway grants the roles' defaults.
  const permissions = claims.permissions.length === 0 ? {} : { permissions: [...claims.permissions] };
  return new SignJWT({ roles: [...claims.roles], ...permissions })
    .setProtectedHeader({ alg, kid: privateJwk.kid ?? DEV_KEY_ID, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.expiresInSeconds}s`)
    .sign(key);
}
