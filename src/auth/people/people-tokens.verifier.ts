import { Inject, Injectable } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { civicNoProblem } from '../../records/civic-number';
import type { Principal } from '../principal';
import { ROLES, type Role } from '../roles';
import { IssuerConfig, loadIssuerConfigs } from './issuer-config';

const SCHOOL_UNIT = /^[0-9]{8}$/;
const KOMMUN = /^[0-9]{4}$/;

interface Issuer {
  config: IssuerConfig;
  keys: JWTVerifyGetKey;
}

export interface VerifiedPersonToken {
  principal: Principal;
  expiresAt: number;
}

/** A token that verified but whose claims cannot make a principal (no kommun, a bad civic number…). */
export class ClaimsError extends Error {}

/**
 * Verifies people's tokens from the identity providers this installation trusts (AUTH_ISSUERS_FILE,
 * and the development identity provider when on) and maps their claims to a principal.
 */
@Injectable()
export class PeopleTokensVerifier {
  private readonly issuers = new Map<string, Issuer>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const c of loadIssuerConfigs(config.AUTH_ISSUERS_FILE)) this.register(c);
  }

  /** Trusts one more issuer (the development identity provider registers itself here). */
  register(config: IssuerConfig): void {
    const keys = config.jwks
      ? createLocalJWKSet(config.jwks)
      : // jose caches the set, refetches on an unknown kid at most every 30 s, and keeps it 10 min.
        createRemoteJWKSet(new URL(config.jwksUri!), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    this.issuers.set(config.issuer, { config, keys });
  }

  /** The providers people can sign in to the web pages with. */
  webIssuers(): IssuerConfig[] {
    return [...this.issuers.values()].map((i) => i.config).filter((c) => c.web);
  }

  config(issuer: string): IssuerConfig | undefined {
    return this.issuers.get(issuer)?.config;
  }

  knows(issuer: unknown): boolean {
    return typeof issuer === 'string' && this.issuers.has(issuer);
  }

  /**
   * Verifies a person's token and maps its claims. An ID token from the web sign-in is for the web
   * client (`audience`) and must carry the nonce of its sign-in (OIDC Core §3.1.3.7).
   */
  async verify(
    token: string,
    issuer: string,
    header: { typ?: string },
    idToken?: { audience: string; nonce: string },
  ): Promise<VerifiedPersonToken> {
    const found = this.issuers.get(issuer);
    if (!found) throw new ClaimsError('the token was issued by an issuer this installation does not trust');
    const { config, keys } = found;
    // RFC 8725 §3.11: only the token types this issuer's sign-in tokens have.
    if (!config.types.includes(header.typ ?? ''))
      throw new ClaimsError(`a token of type ${header.typ ?? 'none'} is not accepted here`);
    const { payload } = await jwtVerify(token, keys, {
      issuer: config.issuer,
      audience: idToken?.audience ?? config.audience,
      algorithms: config.algorithms,
      requiredClaims: ['exp', 'sub'],
    });
    if (idToken && payload.nonce !== idToken.nonce)
      throw new ClaimsError('the ID token is not of this sign-in');
    return { principal: toPrincipal(config, payload), expiresAt: payload.exp! * 1000 };
  }
}

function toPrincipal(config: IssuerConfig, claims: JWTPayload): Principal {
  const kommunCode = config.kommunCode ?? claims[config.kommunClaim!];
  const roles = mapRoles(config, claims[config.rolesClaim]);
  if (kommunCode !== undefined && (typeof kommunCode !== 'string' || !KOMMUN.test(kommunCode))) {
    throw new ClaimsError('the token names no valid kommun');
  }
  if (kommunCode === undefined && !roles.includes('operator'))
    throw new ClaimsError('the token names no kommun');
  const civicNo = claims[config.civicNoClaim];
  if (
    civicNo !== undefined &&
    (typeof civicNo !== 'string' || !/^[0-9]{12}$/.test(civicNo) || civicNoProblem(civicNo))
  ) {
    throw new ClaimsError('the token carries a civic number that is not valid');
  }
  const units = claims[config.schoolUnitsClaim];
  if (
    units !== undefined &&
    (!Array.isArray(units) || !units.every((u) => typeof u === 'string' && SCHOOL_UNIT.test(u)))
  ) {
    throw new ClaimsError('the token lists school units that are not skolenhetskoder');
  }
  const name = claims[config.nameClaim];
  return {
    kind: 'person',
    subject: claims.sub!,
    issuer: config.issuer,
    kommunCode: kommunCode,
    roles,
    scopes: [],
    schoolUnits: units as string[] | undefined,
    civicNo: civicNo,
    name: typeof name === 'string' ? name : undefined,
    tokenId: typeof claims.jti === 'string' ? claims.jti : undefined,
  };
}

function mapRoles(config: IssuerConfig, claim: unknown): Role[] {
  const values = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  const roles = new Set<Role>();
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const role = config.roleMap
      ? config.roleMap[value]
      : (ROLES as readonly string[]).includes(value)
        ? (value as Role)
        : undefined;
    if (role && config.allowedRoles.includes(role)) roles.add(role);
  }
  return [...roles];
}
