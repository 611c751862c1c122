import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { ROLES, type Role } from '../roles';

/**
 * One identity provider whose tokens people sign in with (the kommun's OIDC provider, usually with
 * BankID or Freja behind it), and how its claims map to a portabel principal.
 */
export interface IssuerConfig {
  /** The `iss` its tokens carry, exactly. */
  issuer: string;
  /** The `aud` its tokens for portabel carry. */
  audience: string;
  /** Where its public keys are (fetched, cached, refreshed on an unknown kid), or the keys inline. */
  jwksUri?: string;
  jwks?: { keys: Record<string, unknown>[] };
  /** Every person it signs in belongs to this kommun; or else the kommun is in `kommunClaim`. */
  kommunCode?: string;
  kommunClaim?: string;
  /** The claim with the person's roles (a string or a list), and how its values map to portabel's roles. */
  rolesClaim: string;
  roleMap?: Record<string, Role>;
  /** Roles this issuer may give; the operator role only where said. */
  allowedRoles: Role[];
  /** The claim with the civic number (personnummer), for guardians and pupils. */
  civicNoClaim: string;
  schoolUnitsClaim: string;
  nameClaim: string;
  /** Signature algorithms accepted from this issuer (RFC 8725 §3.1: an allow-list per issuer). */
  algorithms: string[];
  /** Token types accepted (the `typ` header); an absent typ is accepted only if listed as "". */
  types: string[];
  /**
   * Sign-in to the web pages (/app) at this provider: OIDC authorization code with PKCE. portabel is
   * the client `clientId` (default: `audience`); the endpoints come from the provider's discovery
   * document unless given.
   */
  web?: WebClientConfig;
}

export interface WebClientConfig {
  /** What the sign-in page calls the provider ("Västerås kommun (BankID)"). */
  label: string;
  clientId?: string;
  /** A confidential client's secret (client_secret_post); a public client uses PKCE alone. */
  clientSecret?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

/** The Swedish OIDC profile's claim for a personnummer (id.oidc.se). */
export const CIVIC_NO_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';

const PERSON_ROLES = ROLES.filter((r) => r !== 'platform' && r !== 'peer');

export const ISSUER_DEFAULTS = {
  rolesClaim: 'roles',
  civicNoClaim: CIVIC_NO_CLAIM,
  schoolUnitsClaim: 'school_units',
  nameClaim: 'name',
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
  types: ['JWT', ''],
  allowedRoles: PERSON_ROLES.filter((r) => r !== 'operator'),
};

const schema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['issuer', 'audience'],
    properties: {
      issuer: { type: 'string', pattern: '^https://|^http://(127\\.0\\.0\\.1|localhost)[:/]' },
      audience: { type: 'string', minLength: 1 },
      jwksUri: { type: 'string', pattern: '^https://|^http://(127\\.0\\.0\\.1|localhost)[:/]' },
      jwks: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', minItems: 1 } } },
      kommunCode: { type: 'string', pattern: '^[0-9]{4}$' },
      kommunClaim: { type: 'string', minLength: 1 },
      rolesClaim: { type: 'string', minLength: 1 },
      roleMap: { type: 'object', additionalProperties: { enum: PERSON_ROLES } },
      allowedRoles: { type: 'array', items: { enum: PERSON_ROLES } },
      civicNoClaim: { type: 'string', minLength: 1 },
      schoolUnitsClaim: { type: 'string', minLength: 1 },
      nameClaim: { type: 'string', minLength: 1 },
      algorithms: {
        type: 'array',
        minItems: 1,
        items: {
          enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
        },
      },
      types: { type: 'array', items: { type: 'string' } },
      web: {
        type: 'object',
        additionalProperties: false,
        required: ['label'],
        properties: {
          label: { type: 'string', minLength: 1 },
          clientId: { type: 'string', minLength: 1 },
          clientSecret: { type: 'string', minLength: 1 },
          authorizationEndpoint: {
            type: 'string',
            pattern: '^https://|^http://(127\\.0\\.0\\.1|localhost)[:/]',
          },
          tokenEndpoint: { type: 'string', pattern: '^https://|^http://(127\\.0\\.0\\.1|localhost)[:/]' },
        },
      },
    },
    oneOf: [{ required: ['jwksUri'] }, { required: ['jwks'] }],
    anyOf: [{ required: ['kommunCode'] }, { required: ['kommunClaim'] }],
  },
};

const validate = new Ajv({ allErrors: true }).compile(schema);

export class IssuerConfigError extends Error {}

/** Reads and checks AUTH_ISSUERS_FILE; a bad file stops the start with a message naming the place. */
export function loadIssuerConfigs(file: string | undefined): IssuerConfig[] {
  if (!file) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new IssuerConfigError(`AUTH_ISSUERS_FILE ${file}: ${(err as Error).message}`);
  }
  if (!validate(parsed)) {
    const where = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new IssuerConfigError(`AUTH_ISSUERS_FILE ${file}: ${where}`);
  }
  const configs = (parsed as Partial<IssuerConfig>[]).map(
    (c) => ({ ...ISSUER_DEFAULTS, ...c }) as IssuerConfig,
  );
  const seen = new Set<string>();
  for (const c of configs) {
    if (seen.has(c.issuer))
      throw new IssuerConfigError(`AUTH_ISSUERS_FILE ${file}: issuer ${c.issuer} is listed twice`);
    seen.add(c.issuer);
  }
  return configs;
}
