/**
 * Who a caller is to portabel. People get their roles from their kommun's identity provider (claims
 * mapped per issuer); machines are `platform` (OAuth client credentials) or `peer` (another portabel).
 */
export const ROLES = [
  'operator', // runs the installation: registers kommuner; sees no pupil data
  'admin', // the kommun's administrator: platforms, keys, policy, trust registry, school units
  'dpo', // the kommun's data protection officer: audit, data-subject requests
  'registrar', // skoladministratör: pupils, imports, exports, transfers (optionally per school unit)
  'guardian', // vårdnadshavare: their own children only
  'pupil', // the pupil: themselves only
  'platform', // a learning platform (machine), limited to the sections and actions it was granted
  'peer', // another portabel instance delivering transfers and acknowledgements
] as const;

export type Role = (typeof ROLES)[number];
