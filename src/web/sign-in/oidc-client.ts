import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { DevIdentityProvider } from '../../auth/dev-idp/dev-idp.service';
import type { IssuerConfig } from '../../auth/people/issuer-config';
import { PeopleTokensVerifier } from '../../auth/people/people-tokens.verifier';
import type { Principal } from '../../auth/principal';
import type { PendingSignIn } from '../../auth/web-session/web-sessions.service';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env.schema';

interface Endpoints {
  authorization: string;
  token: string;
}

/** Why a sign-in failed, for the audit log and the page (never the token). */
export class SignInError extends Error {}

const random = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * The web pages as an OIDC client of the kommun's identity provider: authorization code flow with
 * PKCE (S256), state and nonce; the ID token verified by the same verifier and claim mapping as the
 * API's bearer tokens, so a person is the same principal in the pages and the API.
 */
@Injectable()
export class OidcClient {
  readonly redirectUri: string;
  private readonly discovered = new Map<string, Endpoints>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly verifier: PeopleTokensVerifier,
    @Optional() private readonly devIdp?: DevIdentityProvider,
  ) {
    this.redirectUri = `${config.PUBLIC_BASE_URL}/app/callback`;
  }

  /** The providers the sign-in page offers, in a stable order. */
  providers(): IssuerConfig[] {
    return this.verifier.webIssuers();
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(issuer: IssuerConfig, next: string): Promise<{ url: string; pending: PendingSignIn }> {
    const pending: PendingSignIn = {
      issuer: issuer.issuer,
      state: random(),
      nonce: random(),
      verifier: random(48),
      next,
    };
    const endpoints = await this.endpoints(issuer);
    const url = new URL(endpoints.authorization);
    const params = {
      response_type: 'code',
      client_id: clientIdOf(issuer),
      redirect_uri: this.redirectUri,
      scope: 'openid profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { url: url.toString(), pending };
  }

  /** The provider's answer: the code exchanged (with the PKCE verifier) and the ID token verified. */
  async finish(pending: PendingSignIn, code: string): Promise<Principal> {
    const issuer = this.verifier.config(pending.issuer);
    if (!issuer?.web) throw new SignInError('the identity provider is no longer configured');
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectUri,
      client_id: clientIdOf(issuer),
      code_verifier: pending.verifier,
      ...(issuer.web.clientSecret ? { client_secret: issuer.web.clientSecret } : {}),
    };
    const idToken = await this.exchange(issuer, form);
    let header: { typ?: string };
    try {
      header = decodeProtectedHeader(idToken);
    } catch {
      throw new SignInError('the identity provider answered with no valid ID token');
    }
    const { principal } = await this.verifier
      .verify(idToken, issuer.issuer, header, { audience: clientIdOf(issuer), nonce: pending.nonce })
      .catch((err: Error) => {
        throw new SignInError(`the ID token was refused: ${err.message}`);
      });
    return principal;
  }

  private async exchange(issuer: IssuerConfig, form: Record<string, string>): Promise<string> {
    // The development provider lives in this process: asked directly, so the pages also work where
    // the instance cannot reach its own public URL (tests on an unbound server, a container behind NAT).
    if (this.devIdp && issuer.issuer === this.devIdp.issuer) {
      return (
        await this.devIdp.exchange(form).catch((err: Error) => {
          throw new SignInError(err.message);
        })
      ).token;
    }
    const { token } = await this.endpoints(issuer);
    const res = await fetch(token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => {
      throw new SignInError('the identity provider could not be reached');
    });
    const body = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    if (!res.ok || typeof body.id_token !== 'string')
      throw new SignInError(
        `the identity provider refused the code (${typeof body.error === 'string' ? body.error : res.status})`,
      );
    return body.id_token;
  }

  private async endpoints(issuer: IssuerConfig): Promise<Endpoints> {
    const web = issuer.web!;
    if (web.authorizationEndpoint && web.tokenEndpoint)
      return { authorization: web.authorizationEndpoint, token: web.tokenEndpoint };
    const known = this.discovered.get(issuer.issuer);
    if (known) return known;
    // OIDC Discovery §4: the configuration document under the issuer.
    const res = await fetch(`${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(10_000),
    }).catch(() => {
      throw new SignInError('the identity provider could not be reached');
    });
    const doc = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string')
      throw new SignInError("the identity provider's discovery document lacks its endpoints");
    const found = {
      authorization: web.authorizationEndpoint ?? doc.authorization_endpoint,
      token: web.tokenEndpoint ?? doc.token_endpoint,
    };
    this.discovered.set(issuer.issuer, found);
    return found;
  }
}

const clientIdOf = (issuer: IssuerConfig): string => issuer.web?.clientId ?? issuer.audience;
