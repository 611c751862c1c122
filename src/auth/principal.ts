import type { Role } from './roles';

/**
 * The authenticated caller of one request, as the guard established it. Never logged whole: a
 * guardian's or pupil's civic number is personal data.
 */
export interface Principal {
  kind: 'person' | 'platform' | 'peer';
  /** Stable id: the token's `sub` for people, the client id for platforms, the kommun code for peers. */
  subject: string;
  /** For people: the identity provider that signed them in. */
  issuer?: string;
  /** The kommun the caller acts for; undefined only for an installation operator. */
  kommunCode?: string;
  roles: Role[];
  /** A platform's registration id (its imports run as that registration). */
  platformId?: string;
  /** A platform's registration name: the `source.platform` of the records it may write. */
  platform?: string;
  /** A platform's granted scopes (sections and actions); empty for people. */
  scopes: string[];
  /** A registrar limited to some school units (skolenhetskoder); undefined: the whole kommun. */
  schoolUnits?: string[];
  /** A guardian's or pupil's civic number (personnummer), to find their children or themselves. */
  civicNo?: string;
  /** Display name for audit and pages (never in logs). */
  name?: string;
  /** The token's id (`jti`), for the audit log. */
  tokenId?: string;
}
