import { Injectable } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, type ProtectedHeaderParameters } from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthenticated } from './auth.errors';
import { PlatformClientsService } from './oauth/platform-clients.service';
import { ClaimsError, PeopleTokensVerifier } from './people/people-tokens.verifier';
import type { Principal } from './principal';
import { AccessTokensService, TokenShapeError } from './tokens/access-tokens.service';

/** A verified token is trusted from cache this long at most (a key revoked elsewhere is seen within it). */
const CACHE_MS = 60_000;
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

/**
 * Turns an Authorization header into the caller: a platform's access token (ours, `at+jwt`) or a
 * person's token from a trusted identity provider. Token kinds are told apart by `typ` and `iss`
 * before any key is chosen (RFC 8725 §2.8), and each verifier allows only its own algorithms.
 */
@Injectable()
export class Authenticator {
  // Verifying a signature costs more than the rest of a small GET: keep recent verdicts.
  private readonly verified = new LRUCache<string, { principal: Principal; until: number }>({ max: 20_000 });

  constructor(
    private readonly accessTokens: AccessTokensService,
    private readonly people: PeopleTokensVerifier,
    private readonly clients: PlatformClientsService,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw unauthenticated('AUTH.TOKEN_MISSING', 'This request needs a bearer token.');
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw unauthenticated('AUTH.TOKEN_INVALID', 'The Authorization header is not a bearer JWT.');
    const cached = this.verified.get(token);
    let principal: Principal;
    if (cached && cached.until > Date.now()) principal = cached.principal;
    else {
      const verified = await this.verify(token);
      principal = verified.principal;
      this.verified.set(token, { principal, until: Math.min(verified.expiresAt, Date.now() + CACHE_MS) });
    }
    return principal.kind === 'platform' ? this.asGrantedNow(principal) : principal;
  }

  /**
   * A platform's token is worth what its client is granted now: nothing once the client or the
   * platform is removed, and no scope the administrator has since taken away. The signature alone
   * would let it run to its expiry.
   */
  private async asGrantedNow(principal: Principal): Promise<Principal> {
    const grant = principal.platformId
      ? await this.clients.currentGrant(principal.kommunCode!, principal.platformId)
      : undefined;
    if (!grant || grant.platformName !== principal.platform)
      throw unauthenticated(
        'AUTH.TOKEN_REVOKED',
        "The platform's client has been removed: its tokens are no longer valid.",
      );
    const scopes = principal.scopes.filter((s) => grant.scopes.includes(s));
    return scopes.length === principal.scopes.length ? principal : { ...principal, scopes };
  }

  private async verify(token: string): Promise<{ principal: Principal; expiresAt: number }> {
    let header: ProtectedHeaderParameters;
    let issuer: unknown;
    try {
      header = decodeProtectedHeader(token);
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthenticated('AUTH.TOKEN_INVALID', 'The token is not a well-formed JWT.');
    }
    try {
      if (this.accessTokens.isOurs(header)) return await this.accessTokens.verify(token, header);
      if (this.people.knows(issuer)) return await this.people.verify(token, issuer as string, header);
    } catch (err) {
      throw unauthenticated('AUTH.TOKEN_INVALID', reasonOf(err));
    }
    throw unauthenticated(
      'AUTH.TOKEN_INVALID',
      'The token was issued by an issuer this installation does not trust.',
    );
  }
}

/** Why a token was refused, in words that help its holder and give an attacker nothing new. */
function reasonOf(err: unknown): string {
  if (err instanceof ClaimsError || err instanceof TokenShapeError)
    return `The token is not accepted: ${err.message}.`;
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired.';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return 'The token is not yet valid.';
    if (err.claim === 'iss' || err.claim === 'aud') return 'The token was issued by or for someone else.';
    if (err.claim === 'typ') return 'The token is of another type.';
    return `The token lacks a valid ${err.claim} claim.`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The token is signed with an algorithm not allowed here.';
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return 'The token is signed by a key this installation does not know.';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'The signature of the token does not verify.';
  if (err instanceof joseErrors.JOSEError) return 'The token is not a valid signed JWT.';
  throw err; // not about the token (e.g. the database is down): the filter maps it
}
