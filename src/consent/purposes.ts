/** Why data leaves: each outflow names one purpose, and the kommun's policy says on which basis. */
export const PURPOSES = ['transfer', 'provisioning', 'portability', 'thirdParty'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** GDPR Art. 6(1): the three bases school data moves on. */
export const LEGAL_BASES = ['consent', 'legalObligation', 'publicTask'] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const LEGAL_BASIS_ARTICLE: Readonly<Record<LegalBasis, string>> = {
  consent: 'GDPR Art. 6(1)(a)',
  legalObligation: 'GDPR Art. 6(1)(c)',
  publicTask: 'GDPR Art. 6(1)(e)',
};

export const PURPOSE_NAMES: Readonly<Record<Purpose, { sv: string; en: string }>> = {
  transfer: { sv: 'Överlämning till mottagande skola', en: 'Transfer to the receiving school' },
  provisioning: { sv: 'Lärplattform', en: 'Learning platform' },
  portability: { sv: 'Utlämning till eleven eller vårdnadshavare', en: 'Export to the pupil or guardian' },
  thirdParty: { sv: 'Delning med namngiven mottagare', en: 'Sharing with a named recipient' },
};

export const LEGAL_BASIS_NAMES: Readonly<Record<LegalBasis, { sv: string; en: string }>> = {
  consent: { sv: 'Samtycke', en: 'Consent' },
  legalObligation: { sv: 'Rättslig förpliktelse', en: 'Legal obligation' },
  publicTask: { sv: 'Allmänt intresse / myndighetsutövning', en: 'Public task' },
};
