import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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
const CODE_TTL_MS = 60_000;

/** An authorization request as the web pages' sign-in sends it (OIDC code flow with PKCE, S256). */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

interface IssuedCode extends AuthorizationRequest {
  user: DevUser;
  expiresAt: number;
}

/** Why a code exchange was refused (OAuth's `error`, RFC 6749 §5.2). */
export class CodeExchangeError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_grant' | 'invalid_client' | 'unsupported_grant_type',
    message: string,
  ) {
    super(message);
  }
}

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
  /** Codes live a minute, in this process only: the development provider runs on one instance. */
  private readonly codes = new Map<string, IssuedCode>();
  /** The only client: this installation's own web pages. */
  readonly webClient: { clientId: string; redirectUri: string };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly verifier: PeopleTokensVerifier,
  ) {
    this.issuer = `${config.PUBLIC_BASE_URL}/dev-idp`;
    this.audience = config.PUBLIC_BASE_URL;
    this.webClient = { clientId: this.audience, redirectUri: `${config.PUBLIC_BASE_URL}/app/callback` };
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
      web: {
        label: 'Demo',
        clientId: this.webClient.clientId,
        authorizationEndpoint: `${this.issuer}/authorize`,
        tokenEndpoint: `${this.issuer}/oauth2/token`,
      },
    });
    this.logger.warn(
      'the development identity provider is on: anyone can sign in as anyone (AUTH_DEV_IDP=on)',
    );
  }

  get jwks(): { keys: JWK[] } {
    return { keys: this.key ? [this.key.publicJwk] : [] };
  }

  /** Whether an authorization request comes from the one client, to its one redirect URI. */
  isOwnClient(req: Pick<AuthorizationRequest, 'clientId' | 'redirectUri'>): boolean {
    return req.clientId === this.webClient.clientId && req.redirectUri === this.webClient.redirectUri;
  }

  /** The person chose whom to sign in as: a single-use code for the client to exchange. */
  authorize(req: AuthorizationRequest, user: DevUser): string {
    const now = Date.now();
    for (const [c, issued] of this.codes) if (issued.expiresAt <= now) this.codes.delete(c);
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, { ...req, user, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.6: the code, once, by its client, with the PKCE verifier. */
  async exchange(form: Record<string, string | undefined>): Promise<{ token: string; expiresIn: number }> {
    if (form.grant_type !== 'authorization_code')
      throw new CodeExchangeError('unsupported_grant_type', 'only authorization_code is supported');
    const issued = form.code ? this.codes.get(form.code) : undefined;
    if (form.code) this.codes.delete(form.code);
    if (!issued || issued.expiresAt <= Date.now())
      throw new CodeExchangeError('invalid_grant', 'the code is unknown, used or expired');
    if (form.client_id !== issued.clientId) throw new CodeExchangeError('invalid_client', 'another client');
    if (form.redirect_uri !== issued.redirectUri)
      throw new CodeExchangeError('invalid_grant', 'the redirect_uri differs from the authorization request');
    const verifier = form.code_verifier ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
      throw new CodeExchangeError('invalid_request', 'a code_verifier of 43 to 128 characters is required');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== issued.codeChallenge)
      throw new CodeExchangeError('invalid_grant', 'the code_verifier does not match the code_challenge');
    return this.issue(issued.user, { nonce: issued.nonce, audience: issued.clientId });
  }

  /** An ID token for the user, as the kommun's provider would issue one. */
  async issue(
    user: DevUser,
    idToken?: { nonce: string; audience: string },
  ): Promise<{ token: string; expiresIn: number }> {
    if (!this.key) throw new Error('the development identity provider has not started');
    const claims: Record<string, unknown> = { roles: user.roles };
    if (user.kommun) claims.kommun = user.kommun;
    if (user.name) claims.name = user.name;
    if (user.civicNo) claims[CIVIC_NO_CLAIM] = user.civicNo;
    if (user.schoolUnits) claims.school_units = user.schoolUnits;
    if (idToken) claims.nonce = idToken.nonce;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: this.key.publicJwk.kid })
      .setIssuer(this.issuer)
      .setAudience(idToken?.audience ?? this.audience)
      .setSubject(user.sub ?? randomUUID())
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
      .sign(this.key.privateKey);
    return { token, expiresIn: TOKEN_TTL_SECONDS };
  }
}
