/**
 * Names of Skolverket's subject codes (ämneskoder) for the credentials' display names: grundskolan's
 * subjects and the common gymnasium subjects. A code not listed is shown as the code itself.
 */
const SUBJECT_NAMES: Readonly<Record<string, string>> = {
  SV: 'Svenska',
  SVA: 'Svenska som andraspråk',
  EN: 'Engelska',
  MA: 'Matematik',
  BI: 'Biologi',
  FY: 'Fysik',
  KE: 'Kemi',
  TK: 'Teknik',
  HI: 'Historia',
  GE: 'Geografi',
  RE: 'Religionskunskap',
  SH: 'Samhällskunskap',
  BL: 'Bild',
  HKK: 'Hem- och konsumentkunskap',
  IDH: 'Idrott och hälsa',
  MU: 'Musik',
  SLJ: 'Slöjd',
  M1: 'Moderna språk, elevens val',
  M2: 'Moderna språk, språkval',
  ML: 'Modersmål',
  TN: 'Teckenspråk för hörande',
  SVE: 'Svenska',
  ENG: 'Engelska',
  MAT: 'Matematik',
  HIS: 'Historia',
  SAM: 'Samhällskunskap',
  REL: 'Religionskunskap',
  NAK: 'Naturkunskap',
  IDR: 'Idrott och hälsa',
  FYS: 'Fysik',
  KEM: 'Kemi',
  BIO: 'Biologi',
  GEO: 'Geografi',
  FIL: 'Filosofi',
  PSY: 'Psykologi',
  MOD: 'Moderna språk',
  TEK: 'Teknik',
};

export function subjectName(code: string): string {
  return SUBJECT_NAMES[code] ?? code;
}
