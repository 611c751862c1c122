import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';
import { CIVIC_NO_CLAIM, ISSUER_DEFAULTS } from '../people/issuer-config';
import { PeopleTokensVerifier } from '../people/people-tokens.verifier';
import { ROLES, type Role } from '../roles';

/** Who the development identity provider signs in. Anything goes: it exists for demos and tests. */
export interface DevUser {
  sub?: string;
  name?: string;
  kommun?: string;
  roles: Role[];
  civicNo?: string;
  schoolUnits?: string[];
}

const TOKEN_TTL_SECONDS = 3600;

/**
 * A development identity provider inside portabel (AUTH_DEV_IDP=on; refused in production by the
 * configuration): it signs people in as whoever they say, with a key made at start and never stored,
 * and portabel trusts it like any configured issuer. Real installations use the kommun's provider.
 */
@Injectable()
export class DevIdentityProvider implements OnModuleInit {
  private readonly logger = new Logger('DevIdentityProvider');
  readonly issuer: string;
  private readonly audience: string;
  private key?: { privateKey: CryptoKey; publicJwk: JWK };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly verifier: PeopleTokensVerifier,
  ) {
    this.issuer = `${config.PUBLIC_BASE_URL}/dev-idp`;
    this.audience = config.PUBLIC_BASE_URL;
  }

  async onModuleInit(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const jwk = await exportJWK(publicKey);
    const publicJwk = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'EdDSA', use: 'sig' };
    this.key = { privateKey, publicJwk };
    this.verifier.register({
      ...ISSUER_DEFAULTS,
      issuer: this.issuer,
      audience: this.audience,
      jwks: { keys: [publicJwk] },
      kommunClaim: 'kommun',
      allowedRoles: ROLES.filter((r) => r !== 'platform' && r !== 'peer'),
      algorithms: ['EdDSA'],
      types: ['JWT'],
    });
    this.logger.warn(
      'the development identity provider is on: anyone can sign in as anyone (AUTH_DEV_IDP=on)',
    );
  }

  get jwks(): { keys: JWK[] } {
    return { keys: this.key ? [this.key.publicJwk] : [] };
  }

  /** An ID token for the user, as the kommun's provider would issue one. */
  async issue(user: DevUser): Promise<{ token: string; expiresIn: number }> {
    if (!this.key) throw new Error('the development identity provider has not started');
    const claims: Record<string, unknown> = { roles: user.roles };
    if (user.kommun) claims.kommun = user.kommun;
    if (user.name) claims.name = user.name;
    if (user.civicNo) claims[CIVIC_NO_CLAIM] = user.civicNo;
    if (user.schoolUnits) claims.school_units = user.schoolUnits;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: this.key.publicJwk.kid })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(user.sub ?? randomUUID())
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(this.key.privateKey);
    return { token, expiresIn: TOKEN_TTL_SECONDS };
  }
}
