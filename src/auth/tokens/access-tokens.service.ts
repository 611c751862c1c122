import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../../common/problem/domain-error';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { KeysService } from '../../keys/keys.service';
import { parseClientId } from '../oauth/client-id';
import type { Principal } from '../principal';

/** RFC 9068: the typ of portabel's access tokens; no other token portabel signs or accepts has it. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'];

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** A platform's access token after verification. */
export interface VerifiedAccessToken {
  principal: Principal;
  expiresAt: number;
}

interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  /** The platform registration's name: the source.platform of the records it may write. */
  platform: string;
  scope: string;
  kommun: string;
}

/**
 * portabel's own access tokens for platforms (RFC 9068 JWTs): signed with the key of the kommun the
 * platform belongs to, so their kid names the kommun and nothing signed for one kommun verifies as
 * another's. Short-lived; the platform asks again with a new client assertion.
 */
@Injectable()
export class AccessTokensService {
  private readonly issuer: string;
  private readonly ttl: number;
  private readonly kidPrefix: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: KeysService,
  ) {
    this.issuer = config.PUBLIC_BASE_URL;
    this.ttl = config.ACCESS_TOKEN_TTL_SECONDS;
    this.kidPrefix = `${config.PUBLIC_BASE_URL}/kommuner/`;
  }

  /** The token endpoint's URL: the audience client assertions must name (RFC 7523 §3). */
  get tokenEndpoint(): string {
    return `${this.issuer}/oauth/token`;
  }

  get issuerId(): string {
    return this.issuer;
  }

  async issue(
    kommunCode: string,
    clientId: string,
    platform: string,
    scopes: string[],
  ): Promise<IssuedToken> {
    const now = Math.floor(Date.now() / 1000);
    const scope = scopes.join(' ');
    const claims: AccessTokenClaims = {
      iss: this.issuer,
      aud: this.issuer,
      sub: clientId,
      client_id: clientId,
      platform,
      kommun: kommunCode,
      scope,
      jti: randomUUID(),
      iat: now,
      exp: now + this.ttl,
    };
    const accessToken = await this.keys.signJwt(kommunCode, claims, { typ: ACCESS_TOKEN_TYP });
    return { accessToken, expiresIn: this.ttl, scope };
  }

  /** Whether a token's header says it is one of ours (then only this verifier may accept it). */
  isOurs(header: { typ?: string }): boolean {
    return header.typ === ACCESS_TOKEN_TYP;
  }

  /** Verifies one of our access tokens; throws jose's errors (the authenticator words them). */
  async verify(token: string, header: { kid?: string }): Promise<VerifiedAccessToken> {
    const kommunCode = this.kommunOfKid(header.kid);
    const { payload } = await jwtVerify<AccessTokenClaims>(token, await this.keysOf(kommunCode), {
      issuer: this.issuer,
      audience: this.issuer,
      typ: ACCESS_TOKEN_TYP,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    });
    // The kid says whose key signed; the claim must say the same kommun.
    if (
      payload.kommun !== kommunCode ||
      typeof payload.client_id !== 'string' ||
      typeof payload.platform !== 'string' ||
      typeof payload.scope !== 'string'
    ) {
      throw new TokenShapeError('the token was not issued for this kommun');
    }
    return {
      principal: {
        kind: 'platform',
        subject: payload.client_id,
        platformId: parseClientId(payload.client_id)?.platformId,
        platform: payload.platform,
        kommunCode,
        roles: ['platform'],
        scopes: payload.scope.split(' ').filter(Boolean),
        tokenId: payload.jti,
      },
      expiresAt: payload.exp! * 1000,
    };
  }

  private async keysOf(kommunCode: string) {
    try {
      return await this.keys.verificationKeys(kommunCode);
    } catch (err) {
      // A kid naming a kommun this installation does not host: the token is simply not ours.
      if (err instanceof DomainError)
        throw new TokenShapeError('the token names no key of this installation');
      throw err;
    }
  }

  private kommunOfKid(kid: string | undefined): string {
    const match =
      kid?.startsWith(this.kidPrefix) &&
      /^([0-9]{4})\/\.well-known\/jwks\.json#[A-Za-z0-9_-]+$/.exec(kid.slice(this.kidPrefix.length));
    if (!match) throw new TokenShapeError('the token names no key of this installation');
    return match[1];
  }
}

/** A token that verified cryptographically but is not shaped as ours must be (or names no key of ours). */
export class TokenShapeError extends Error {}
