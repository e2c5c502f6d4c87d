import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The local development signing key: an Ed25519 pair made once per stack directory, its public
 * half written as the JWKS file the gateway trusts in development (AUTH_JWKS_FILE). Production
 * gateways trust the identity provider's JWKS URL instead and never see this key.
 */
export const DEV_KEY_ID = 'fleet-dev-1';

export function devKeyPaths(stackDir: string): { privateKey: string; jwks: string } {
  return { privateKey: path.join(stackDir, 'auth', 'dev-signing-key.json'), jwks: path.join(stackDir, 'auth', 'jwks.json') };
}

export async function ensureDevKeys(stackDir: string): Promise<JWK> {
  const paths = devKeyPaths(stackDir);
  if (existsSync(paths.privateKey)) return JSON.parse(readFileSync(paths.privateKey, 'utf8')) as JWK;
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: DEV_KEY_ID, alg: 'EdDSA', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid: DEV_KEY_ID, alg: 'EdDSA', use: 'sig' };
  mkdirSync(path.dirname(paths.privateKey), { recursive: true, mode: 0o700 });
  writeFileSync(paths.privateKey, JSON.stringify(privateJwk), { mode: 0o600 });
  writeFileSync(paths.jwks, JSON.stringify({ keys: [publicJwk] }, null, 2));
  return privateJwk;
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
  const key = await importJWK(privateJwk, 'EdDSA');
  return new SignJWT({ roles: [...claims.roles], permissions: [...claims.permissions] })
    .setProtectedHeader({ alg: 'EdDSA', kid: privateJwk.kid ?? DEV_KEY_ID, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.expiresInSeconds}s`)
    .sign(key);
}
