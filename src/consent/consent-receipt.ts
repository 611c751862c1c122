import { CATEGORY_NAMES, SENSITIVE_CATEGORIES, type Category } from './categories';
import { PURPOSE_NAMES, type Purpose } from './purposes';

/** The typ of a signed consent receipt: no other token portabel signs or accepts has it (RFC 8725). */
export const CONSENT_RECEIPT_TYP = 'consent-receipt+jwt';

export interface ReceiptInput {
  receiptId: string;
  kommunCode: string;
  kommunName: string;
  issuer: string;
  policyUrl: string;
  policyVersion: number;
  recordId: string;
  action: 'grant' | 'withdraw';
  purpose: Purpose;
  categories: Category[];
  recipient: string | null;
  collectionMethod: 'web' | 'paper' | 'api';
  giverRole: 'guardian' | 'pupil';
  expiresAt: Date | null;
  at: Date;
  language: 'sv' | 'en';
}

const METHODS = {
  web: 'Web form, signed in with e-legitimation',
  paper: 'Paper form, registered by the school',
  api: 'API, signed in with e-legitimation',
};

/**
 * A Kantara Consent Receipt v1.1 (the fields of the specification) as JWT claims, with what portabel
 * adds (action, giver role, record id, policy version) under `portabel`. The data subject is named
 * by the record id, never by civic number: the receipt may be shown and shared.
 */
export function consentReceiptClaims(r: ReceiptInput): Record<string, unknown> {
  const sensitive = r.categories.filter((c) => SENSITIVE_CATEGORIES.includes(c));
  const name = PURPOSE_NAMES[r.purpose][r.language];
  return {
    iss: r.issuer,
    sub: r.recordId,
    jti: r.receiptId,
    iat: Math.floor(r.at.getTime() / 1000),
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'SE',
    consentTimestamp: Math.floor(r.at.getTime() / 1000),
    collectionMethod: METHODS[r.collectionMethod],
    consentReceiptID: r.receiptId,
    language: r.language,
    piiPrincipalId: r.recordId,
    piiControllers: [{ piiController: r.kommunName, onBehalf: false, contact: r.kommunName, url: r.issuer }],
    policyUrl: r.policyUrl,
    services: [
      {
        service: 'portabel',
        purposes: [
          {
            purpose: name,
            purposeCategory: [r.purpose],
            consentType: 'EXPLICIT',
            piiCategory: r.categories.map((c) => CATEGORY_NAMES[c][r.language]),
            primaryPurpose: true,
            termination:
              r.action === 'withdraw'
                ? 'Withdrawn by this receipt.'
                : r.expiresAt
                  ? `Until withdrawn, or ${r.expiresAt.toISOString()} at the latest.`
                  : 'Until withdrawn (as easily as it was given).',
            thirdPartyDisclosure: r.recipient !== null,
            ...(r.recipient !== null ? { thirdPartyName: r.recipient } : {}),
          },
        ],
      },
    ],
    sensitive: sensitive.length > 0,
    spiCat: sensitive.map((c) => CATEGORY_NAMES[c][r.language]),
    portabel: {
      action: r.action,
      kommun: r.kommunCode,
      recordId: r.recordId,
      purpose: r.purpose,
      categories: r.categories,
      recipient: r.recipient,
      giverRole: r.giverRole,
      policyVersion: r.policyVersion,
      expiresAt: r.expiresAt?.toISOString() ?? null,
    },
  };
}
