import { Injectable } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/problem/domain-error';
import { AUTH_PROBLEMS, oauthError } from '../auth.errors';
import { AccessTokensService } from '../tokens/access-tokens.service';
import { ASSERTION_ALGORITHMS } from './client-keys';
import { parseClientId } from './client-id';
import { PlatformClientsService } from './platform-clients.service';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion may live at most this long: the replay store keeps each jti until then. */
const MAX_ASSERTION_LIFETIME_S = 600;
const CLOCK_TOLERANCE_S = 30;
/** Client assertions may be typed (draft-ietf-oauth-rfc7523bis) or untyped; never as another token kind. */
const ASSERTION_TYPES = new Set([undefined, 'JWT', 'client-authentication+jwt']);

export interface TokenRequest {
  grant_type?: string;
  client_assertion_type?: string;
  client_assertion?: string;
  client_id?: string;
  scope?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const invalidClient = (why: string) => oauthError(AUTH_PROBLEMS.invalidClient, 'invalid_client', why);
const invalidRequest = (why: string) => oauthError(AUTH_PROBLEMS.invalidTokenRequest, 'invalid_request', why);

/**
 * OAuth 2.0 client credentials for platforms, authenticated with private_key_jwt (RFC 7523 §2.2, as
 * EMREX 2.0 and SS 12000 services do): the platform signs a short assertion with its own key; we
 * check it against the keys its kommun registered and answer with a short-lived access token.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly clients: PlatformClientsService,
    private readonly tokens: AccessTokensService,
    private readonly audit: AuditService,
  ) {}

  /**
   * A platform's sign-in, entered in the audit log either way: issued (`succeeded`, with the scopes)
   * or refused (`denied`, with the problem code: a replayed assertion, a bad signature…), in the chain
   * of the kommun the client id names (the installation's when it names none).
   */
  async signIn(req: TokenRequest, requestId: string): Promise<TokenResponse> {
    const claimed = claimedClient(req.client_assertion);
    const entry = (outcome: 'succeeded' | 'denied', detail: Record<string, string>) =>
      this.audit.record({
        kommunCode: claimed?.kommunCode ?? null,
        actor:
          outcome === 'succeeded' ? { kind: 'platform', subject: claimed!.clientId } : { kind: 'anonymous' },
        action: 'auth:token',
        outcome,
        requestId,
        detail: { ...(claimed ? { clientId: claimed.clientId } : {}), ...detail },
      });
    try {
      const issued = await this.clientCredentials(req);
      await entry('succeeded', { scope: issued.scope });
      return issued;
    } catch (err) {
      await entry('denied', { code: err instanceof DomainError ? err.code : 'INTERNAL' });
      throw err;
    }
  }

  async clientCredentials(req: TokenRequest): Promise<TokenResponse> {
    if (req.grant_type !== 'client_credentials') {
      throw oauthError(
        AUTH_PROBLEMS.invalidTokenRequest,
        'unsupported_grant_type',
        'Only grant_type=client_credentials is supported.',
      );
    }
    if (req.client_assertion_type !== JWT_BEARER_ASSERTION || typeof req.client_assertion !== 'string') {
      throw invalidRequest(
        `Authenticate with client_assertion_type=${JWT_BEARER_ASSERTION} and a client_assertion.`,
      );
    }
    const assertion = req.client_assertion;
    let issuer: unknown;
    let typ: string | undefined;
    try {
      issuer = decodeJwt(assertion).iss;
      typ = decodeProtectedHeader(assertion).typ;
    } catch {
      throw invalidClient('The client assertion is not a well-formed JWT.');
    }
    const id = parseClientId(issuer);
    if (!id || (req.client_id !== undefined && req.client_id !== issuer)) {
      throw invalidClient('The client assertion names no client of this installation.');
    }
    if (!ASSERTION_TYPES.has(typ)) throw invalidClient(`A token of type ${typ} is not a client assertion.`);
    const client = await this.clients.find(id.kommunCode, id.platformId);
    if (!client) throw invalidClient('The client assertion names no client of this installation.');

    let claims;
    try {
      ({ payload: claims } = await jwtVerify(assertion, client.keys, {
        issuer: client.clientId,
        subject: client.clientId,
        audience: [this.tokens.tokenEndpoint, this.tokens.issuerId],
        algorithms: ASSERTION_ALGORITHMS,
        requiredClaims: ['exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (err) {
      throw invalidClient(assertionProblem(err));
    }
    const now = Math.floor(Date.now() / 1000);
    if (claims.exp! - now > MAX_ASSERTION_LIFETIME_S) {
      throw invalidClient(`A client assertion may be valid for at most ${MAX_ASSERTION_LIFETIME_S} s.`);
    }
    if (typeof claims.jti !== 'string' || claims.jti.length > 200)
      throw invalidClient('The client assertion has no usable jti.');
    if (
      !(await this.clients.useAssertion(
        client.kommunCode,
        client.clientId,
        claims.jti,
        new Date(claims.exp! * 1000),
      ))
    ) {
      throw invalidClient('This client assertion has been used before: make a new one for each request.');
    }

    const requested = req.scope === undefined ? client.scopes : req.scope.split(' ').filter(Boolean);
    const notGranted = requested.filter((s) => !client.scopes.includes(s));
    if (notGranted.length > 0) {
      throw oauthError(
        AUTH_PROBLEMS.invalidScope,
        'invalid_scope',
        `Not granted to this client: ${notGranted.join(' ')}.`,
      );
    }
    const issued = await this.tokens.issue(
      client.kommunCode,
      client.clientId,
      client.platformName,
      requested,
    );
    return {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: issued.scope,
    };
  }
}

/** The client an assertion claims to be, unverified: only a well-formed client id of ours is kept. */
function claimedClient(assertion: unknown): { clientId: string; kommunCode: string } | undefined {
  if (typeof assertion !== 'string') return undefined;
  try {
    const iss = decodeJwt(assertion).iss;
    const id = parseClientId(iss);
    return id ? { clientId: iss!, kommunCode: id.kommunCode } : undefined;
  } catch {
    return undefined;
  }
}

function assertionProblem(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The client assertion has expired.';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `The client assertion's ${err.claim} claim is not valid.`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The client assertion is signed with an algorithm not allowed.';
  if (err instanceof joseErrors.JWKSNoMatchingKey)
    return 'The client assertion is signed by a key the client has not registered.';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return 'The signature of the client assertion does not verify.';
  if (err instanceof joseErrors.JOSEError) return 'The client assertion is not a valid signed JWT.';
  throw err;
}
