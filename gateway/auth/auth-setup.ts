import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger';
import type { OAuthDependencies } from '../routes/oauth.routes';
import { AuthRepository } from './auth.repository';
import { LoginLimits, type LoginLimitOptions } from './login-limits';
import { SigningKeys } from './signing-keys';
import { SubjectStatusCheck } from './subject-status';
import { TokenService } from './token-service';

export interface AuthSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly subjectStatusCacheSeconds: number;
  /** The token service's settings; null when tokens come from an external provider only. */
  readonly tokenService: {
    readonly signingKeysFile: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    readonly loginLimits: LoginLimitOptions;
    readonly clock?: () => Date;
  } | null;
}

/**
 * The gateway's side of identity: the disabled-subject check every authenticated request passes,
 * and, when the gateway has signing keys, the token service. `database` is the gateway's own
 * login, which may read identity's credential and grant views and write schema `auth`.
 */
export function createAuth(database: Knex, redis: Redis, settings: AuthSettings, logger: Logger): { subjects: SubjectStatusCheck; oauth?: OAuthDependencies } {
  const repository = new AuthRepository(database);
  const subjects = new SubjectStatusCheck(redis, repository, settings.subjectStatusCacheSeconds, logger);
  const service = settings.tokenService;
  if (service === null) return { subjects };
  const signingKeys = new SigningKeys(service.signingKeysFile, (error) => logger.error({ err: error }, 'signing key file unreadable; keeping the keys already loaded'));
  const tokens = new TokenService(
    repository,
    signingKeys,
    new LoginLimits(redis, service.loginLimits),
    {
      issuer: settings.issuer,
      audience: settings.audience,
      accessTokenTtlSeconds: service.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: service.refreshTokenTtlSeconds,
      ...(service.clock === undefined ? {} : { clock: service.clock }),
    },
    logger,
  );
  return { subjects, oauth: { tokens, signingKeys, issuer: settings.issuer } };
}
