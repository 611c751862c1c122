// Real reference data for synthetic records: kommun codes (SCB), grundskola subject codes and gymnasium
// programme and course codes (Skolverket, Lgr22 and Gy11). Place names are real districts, used only to name
// made-up school units; the school unit codes are generated and belong to no real school.
// Long tables are kept compact (prettier-ignore): one entry a line would make them hard to scan.

/** A district of a kommun and the stem it takes in compounds (Kopparlunden → Kopparlundsgymnasiet). */
export interface Place {
  readonly name: string;
  readonly stem: string;
}

export interface KommunInfo {
  /** Kommunkod (SCB). */
  readonly code: string;
  readonly name: string;
  /** Post town (postort) used in addresses. */
  readonly postTown: string;
  /** First three digits of the kommun's postal codes. */
  readonly postalPrefixes: readonly string[];
  /** Districts to name school units after; empty where generic names are used. */
  readonly places: readonly Place[];
}

const places = (...pairs: [string, string][]): Place[] => pairs.map(([name, stem]) => ({ name, stem }));

// prettier-ignore
export const KOMMUNER: readonly KommunInfo[] = [
  {
    code: '0180',
    name: 'Stockholm',
    postTown: 'Stockholm',
    postalPrefixes: ['113', '114', '116', '117', '118', '120', '124', '126', '129', '165', '168'],
    places: places(
      ['Kungsholmen', 'Kungsholms'], ['Vasastan', 'Vasa'], ['Södermalm', 'Södermalms'],
      ['Hammarby sjöstad', 'Sjöstads'], ['Bromma', 'Bromma'], ['Vällingby', 'Vällingby'], ['Farsta', 'Farsta'],
      ['Skarpnäck', 'Skarpnäcks'], ['Rinkeby', 'Rinkeby'], ['Hägersten', 'Hägerstens'], ['Enskede', 'Enskede'],
      ['Årsta', 'Årsta'], ['Östermalm', 'Östermalms'], ['Kista', 'Kista'],
    ),
  },
  {
    code: '1480',
    name: 'Göteborg',
    postTown: 'Göteborg',
    postalPrefixes: ['411', '412', '413', '414', '415', '416', '417', '418', '421', '424'],
    places: places(
      ['Majorna', 'Majorna'], ['Backa', 'Backa'], ['Angered', 'Angereds'], ['Frölunda', 'Frölunda'],
      ['Biskopsgården', 'Biskopsgårds'], ['Kortedala', 'Kortedala'], ['Johanneberg', 'Johannebergs'],
      ['Örgryte', 'Örgryte'], ['Askim', 'Askims'], ['Torslanda', 'Torslanda'], ['Bergsjön', 'Bergsjö'],
    ),
  },
  {
    code: '1280',
    name: 'Malmö',
    postTown: 'Malmö',
    postalPrefixes: ['211', '212', '214', '215', '216', '217', '218'],
    places: places(
      ['Limhamn', 'Limhamns'], ['Rosengård', 'Rosengårds'], ['Husie', 'Husie'], ['Oxie', 'Oxie'], ['Fosie', 'Fosie'],
      ['Bunkeflo', 'Bunkeflo'], ['Kirseberg', 'Kirsebergs'], ['Hyllie', 'Hyllie'], ['Möllevången', 'Mölle'],
      ['Västra hamnen', 'Hamn'],
    ),
  },
  {
    code: '1980',
    name: 'Västerås',
    postTown: 'Västerås',
    postalPrefixes: ['721', '722', '723', '724', '725', '726'],
    places: places(
      ['Skultuna', 'Skultuna'], ['Kopparlunden', 'Kopparlunds'], ['Bäckby', 'Bäckby'], ['Råby', 'Råby'],
      ['Vallby', 'Vallby'], ['Hökåsen', 'Hökåsen'], ['Dingtuna', 'Dingtuna'], ['Tillberga', 'Tillberga'],
      ['Barkarö', 'Barkarö'], ['Pettersberg', 'Pettersbergs'], ['Hammarby', 'Hammarby'], ['Önsta', 'Önsta'],
    ),
  },
  {
    code: '0380',
    name: 'Uppsala',
    postTown: 'Uppsala',
    postalPrefixes: ['752', '753', '754', '756', '757'],
    places: places(
      ['Gottsunda', 'Gottsunda'], ['Sävja', 'Sävja'], ['Storvreta', 'Storvreta'], ['Luthagen', 'Luthags'],
      ['Eriksberg', 'Eriksbergs'], ['Gränby', 'Gränby'], ['Valsätra', 'Valsätra'], ['Svartbäcken', 'Svartbäcks'],
      ['Stenhagen', 'Stenhags'], ['Vänge', 'Vänge'], ['Björklinge', 'Björklinge'],
    ),
  },
  {
    code: '2480',
    name: 'Umeå',
    postTown: 'Umeå',
    postalPrefixes: ['903', '904', '905', '906', '907'],
    places: places(
      ['Ersboda', 'Ersboda'], ['Haga', 'Haga'], ['Ålidhem', 'Ålidhems'], ['Tomtebo', 'Tomtebo'],
      ['Holmsund', 'Holmsunds'], ['Sävar', 'Sävar'], ['Hörnefors', 'Hörnefors'], ['Teg', 'Tegs'],
      ['Mariehem', 'Mariehems'], ['Backen', 'Back'],
    ),
  },
  {
    code: '0580',
    name: 'Linköping',
    postTown: 'Linköping',
    postalPrefixes: ['582', '583', '584', '585', '586', '587'],
    places: places(
      ['Ryd', 'Ryds'], ['Skäggetorp', 'Skäggetorps'], ['Berga', 'Berga'], ['Lambohov', 'Lambohovs'],
      ['Vallastaden', 'Vallastadens'], ['Tannefors', 'Tannefors'], ['Ekholmen', 'Ekholms'],
      ['Malmslätt', 'Malmslätts'], ['Linghem', 'Linghems'], ['Ljungsbro', 'Ljungsbro'],
    ),
  },
  {
    code: '1880',
    name: 'Örebro',
    postTown: 'Örebro',
    postalPrefixes: ['702', '703', '704', '705'],
    places: places(
      ['Vivalla', 'Vivalla'], ['Brickebacken', 'Brickebacks'], ['Adolfsberg', 'Adolfsbergs'],
      ['Glanshammar', 'Glanshammars'], ['Vintrosa', 'Vintrosa'], ['Varberga', 'Varberga'],
      ['Baronbackarna', 'Baronbacks'], ['Lillån', 'Lillå'], ['Tybble', 'Tybble'], ['Hovsta', 'Hovsta'],
    ),
  },
  { code: '0581', name: 'Norrköping', postTown: 'Norrköping', postalPrefixes: ['602', '603', '604', '605'], places: [] },
  { code: '1283', name: 'Helsingborg', postTown: 'Helsingborg', postalPrefixes: ['252', '253', '254', '256'], places: [] },
  { code: '0680', name: 'Jönköping', postTown: 'Jönköping', postalPrefixes: ['553', '554', '555', '556'], places: [] },
  { code: '1281', name: 'Lund', postTown: 'Lund', postalPrefixes: ['222', '223', '224', '226'], places: [] },
  { code: '2180', name: 'Gävle', postTown: 'Gävle', postalPrefixes: ['802', '803', '804', '805', '806'], places: [] },
  { code: '1490', name: 'Borås', postTown: 'Borås', postalPrefixes: ['503', '504', '506', '507'], places: [] },
  { code: '0484', name: 'Eskilstuna', postTown: 'Eskilstuna', postalPrefixes: ['632', '633', '635'], places: [] },
  { code: '2281', name: 'Sundsvall', postTown: 'Sundsvall', postalPrefixes: ['852', '853', '854', '856'], places: [] },
  { code: '0780', name: 'Växjö', postTown: 'Växjö', postalPrefixes: ['352', '355'], places: [] },
  { code: '1780', name: 'Karlstad', postTown: 'Karlstad', postalPrefixes: ['652', '653', '654', '656'], places: [] },
  { code: '0182', name: 'Nacka', postTown: 'Nacka', postalPrefixes: ['131', '132', '133'], places: [] },
  { code: '0184', name: 'Solna', postTown: 'Solna', postalPrefixes: ['169', '170', '171'], places: [] },
  { code: '2580', name: 'Luleå', postTown: 'Luleå', postalPrefixes: ['972', '973', '974', '975'], places: [] },
  { code: '1380', name: 'Halmstad', postTown: 'Halmstad', postalPrefixes: ['302', '303', '305'], places: [] },
  { code: '0980', name: 'Gotland', postTown: 'Visby', postalPrefixes: ['621', '622', '623'], places: [] },
  { code: '2380', name: 'Östersund', postTown: 'Östersund', postalPrefixes: ['831', '832', '833'], places: [] },
  { code: '0880', name: 'Kalmar', postTown: 'Kalmar', postalPrefixes: ['392', '393', '394'], places: [] },
];

/** The catalogue entry of a kommun; a made-up one for codes not in the catalogue, so any code can be seeded. */
export function findKommun(code: string): KommunInfo {
  return (
    KOMMUNER.find((kommun) => kommun.code === code) ?? {
      code,
      name: `Kommun ${code}`,
      postTown: 'Exempelstad',
      postalPrefixes: ['999'],
      places: [],
    }
  );
}

/** Parts of made-up district names (Ek + backen = Ekbacken, stem Ekbacks) for kommuner without listed places. */
// prettier-ignore
export const GENERIC_PLACE_PREFIXES: readonly string[] = [
  'Ek', 'Björk', 'Lind', 'Sjö', 'Berg', 'Tall', 'Gran', 'Sol', 'Rosen', 'Furu',
  'Hassel', 'Äppel', 'Lönn', 'Strand', 'Kvarn', 'Bäck', 'Hög', 'Rönn', 'Al', 'Ås',
];
// prettier-ignore
export const GENERIC_PLACE_SUFFIXES: readonly Place[] = places(
  ['backen', 'backs'], ['dalen', 'dals'], ['lunden', 'lunds'], ['viken', 'viks'],
  ['ängen', 'ängs'], ['höjden', 'höjds'], ['hagen', 'hags'], ['gården', 'gårds'],
);

/** A grundskola subject (Lgr22) with Skolverket's subject code. */
export interface Subject {
  readonly code: string;
  readonly name: string;
}

/** Grundskola subjects graded from year 6; SV/SVA and M1/M2/ML are chosen per pupil. */
export const GR_SUBJECTS: readonly Subject[] = [
  { code: 'SV', name: 'Svenska' },
  { code: 'SVA', name: 'Svenska som andraspråk' },
  { code: 'EN', name: 'Engelska' },
  { code: 'MA', name: 'Matematik' },
  { code: 'BI', name: 'Biologi' },
  { code: 'FY', name: 'Fysik' },
  { code: 'KE', name: 'Kemi' },
  { code: 'TK', name: 'Teknik' },
  { code: 'HI', name: 'Historia' },
  { code: 'GE', name: 'Geografi' },
  { code: 'RE', name: 'Religionskunskap' },
  { code: 'SH', name: 'Samhällskunskap' },
  { code: 'BL', name: 'Bild' },
  { code: 'HKK', name: 'Hem- och konsumentkunskap' },
  { code: 'IDH', name: 'Idrott och hälsa' },
  { code: 'MU', name: 'Musik' },
  { code: 'SLJ', name: 'Slöjd' },
  { code: 'M1', name: 'Moderna språk, elevens val' },
  { code: 'M2', name: 'Moderna språk, språkval' },
  { code: 'ML', name: 'Modersmål' },
];

export function subjectName(code: string): string {
  return GR_SUBJECTS.find((subject) => subject.code === code)?.name ?? GY_COURSES[code]?.name ?? code;
}

/** Modern languages offered as språkval, with how often they are chosen. */
export const MODERN_LANGUAGES: readonly (readonly [string, number])[] = [
  ['spanska', 50],
  ['tyska', 28],
  ['franska', 20],
  ['kinesiska', 2],
];

/** A gymnasium course (Gy11 kurs) with Skolverket's course code and its points. */
export interface Course {
  readonly name: string;
  readonly points: number;
}

export const GY_COURSES: Readonly<Record<string, Course>> = {
  SVESVE01: { name: 'Svenska 1', points: 100 },
  SVESVE02: { name: 'Svenska 2', points: 100 },
  SVESVE03: { name: 'Svenska 3', points: 100 },
  SVASVA01: { name: 'Svenska som andraspråk 1', points: 100 },
  SVASVA02: { name: 'Svenska som andraspråk 2', points: 100 },
  ENGENG05: { name: 'Engelska 5', points: 100 },
  ENGENG06: { name: 'Engelska 6', points: 100 },
  MATMAT01a: { name: 'Matematik 1a', points: 100 },
  MATMAT01b: { name: 'Matematik 1b', points: 100 },
  MATMAT01c: { name: 'Matematik 1c', points: 100 },
  MATMAT02b: { name: 'Matematik 2b', points: 100 },
  MATMAT02c: { name: 'Matematik 2c', points: 100 },
  MATMAT03c: { name: 'Matematik 3c', points: 100 },
  HISHIS01a1: { name: 'Historia 1a1', points: 50 },
  HISHIS01b: { name: 'Historia 1b', points: 100 },
  SAMSAM01a1: { name: 'Samhällskunskap 1a1', points: 50 },
  SAMSAM01b: { name: 'Samhällskunskap 1b', points: 100 },
  SAMSAM02: { name: 'Samhällskunskap 2', points: 100 },
  RELREL01: { name: 'Religionskunskap 1', points: 50 },
  IDRIDR01: { name: 'Idrott och hälsa 1', points: 100 },
  NAKNAK01a1: { name: 'Naturkunskap 1a1', points: 50 },
  NAKNAK01b: { name: 'Naturkunskap 1b', points: 100 },
  FYSFYS01a: { name: 'Fysik 1a', points: 150 },
  FYSFYS02: { name: 'Fysik 2', points: 100 },
  KEMKEM01: { name: 'Kemi 1', points: 100 },
  KEMKEM02: { name: 'Kemi 2', points: 100 },
  BIOBIO01: { name: 'Biologi 1', points: 100 },
  BIOBIO02: { name: 'Biologi 2', points: 100 },
  MODSPA03: { name: 'Moderna språk 3, spanska', points: 100 },
  PSKPSY01: { name: 'Psykologi 1', points: 50 },
  FILFIL01: { name: 'Filosofi 1', points: 50 },
  FÖRFÖR01: { name: 'Företagsekonomi 1', points: 100 },
  PRRPRR01: { name: 'Programmering 1', points: 100 },
  TEKTEK01: { name: 'Teknik 1', points: 150 },
  GEOGEO01: { name: 'Geografi 1', points: 100 },
};

/** A national gymnasium programme; orientations only where their codes are certain. */
export interface Programme {
  readonly code: string;
  readonly name: string;
  readonly orientations: readonly string[];
  /** Courses by year of study (1, 2), as a typical school plans them. */
  readonly courses: readonly (readonly string[])[];
}

const ACADEMIC_CORE_YEAR_1 = ['SVESVE01', 'ENGENG05', 'HISHIS01b', 'IDRIDR01', 'SAMSAM01b'];
const VOCATIONAL_CORE = [
  ['SVESVE01', 'ENGENG05', 'MATMAT01a', 'IDRIDR01', 'NAKNAK01a1'],
  ['SAMSAM01a1', 'HISHIS01a1', 'RELREL01'],
];

export const GY_PROGRAMMES: readonly Programme[] = [
  {
    code: 'NA',
    name: 'Naturvetenskapsprogrammet',
    orientations: ['NANAT', 'NANAS'],
    courses: [
      [...ACADEMIC_CORE_YEAR_1, 'MATMAT01c', 'BIOBIO01', 'KEMKEM01', 'MODSPA03'],
      ['SVESVE02', 'ENGENG06', 'MATMAT02c', 'FYSFYS01a', 'KEMKEM02', 'RELREL01', 'BIOBIO02'],
    ],
  },
  {
    code: 'SA',
    name: 'Samhällsvetenskapsprogrammet',
    orientations: ['SABET', 'SASAM', 'SAMED'],
    courses: [
      [...ACADEMIC_CORE_YEAR_1, 'MATMAT01b', 'NAKNAK01b', 'MODSPA03', 'GEOGEO01'],
      ['SVESVE02', 'ENGENG06', 'MATMAT02b', 'RELREL01', 'PSKPSY01', 'FILFIL01', 'SAMSAM02'],
    ],
  },
  {
    code: 'EK',
    name: 'Ekonomiprogrammet',
    orientations: ['EKEKO', 'EKJUR'],
    courses: [
      [...ACADEMIC_CORE_YEAR_1, 'MATMAT01b', 'FÖRFÖR01', 'MODSPA03', 'PSKPSY01'],
      ['SVESVE02', 'ENGENG06', 'MATMAT02b', 'NAKNAK01b', 'RELREL01', 'FILFIL01'],
    ],
  },
  {
    code: 'TE',
    name: 'Teknikprogrammet',
    orientations: ['TEDES', 'TEINF', 'TEPRO', 'TESAM', 'TETEK'],
    courses: [
      [...ACADEMIC_CORE_YEAR_1, 'MATMAT01c', 'TEKTEK01', 'KEMKEM01', 'PRRPRR01'],
      ['SVESVE02', 'ENGENG06', 'MATMAT02c', 'MATMAT03c', 'FYSFYS01a', 'RELREL01'],
    ],
  },
  {
    code: 'ES',
    name: 'Estetiska programmet',
    orientations: ['ESBIL', 'ESDAN', 'ESEST', 'ESMUS', 'ESTEA'],
    courses: [
      [...ACADEMIC_CORE_YEAR_1, 'MATMAT01b', 'MODSPA03'],
      ['SVESVE02', 'ENGENG06', 'NAKNAK01b', 'RELREL01', 'FILFIL01', 'PSKPSY01'],
    ],
  },
  {
    code: 'EE',
    name: 'El- och energiprogrammet',
    orientations: ['EEAUT', 'EEDAT', 'EEELT', 'EEENE'],
    courses: VOCATIONAL_CORE,
  },
  { code: 'BF', name: 'Barn- och fritidsprogrammet', orientations: [], courses: VOCATIONAL_CORE },
  { code: 'VO', name: 'Vård- och omsorgsprogrammet', orientations: [], courses: VOCATIONAL_CORE },
  { code: 'BA', name: 'Bygg- och anläggningsprogrammet', orientations: [], courses: VOCATIONAL_CORE },
  { code: 'FT', name: 'Fordons- och transportprogrammet', orientations: [], courses: VOCATIONAL_CORE },
  { code: 'HA', name: 'Handels- och administrationsprogrammet', orientations: [], courses: VOCATIONAL_CORE },
  { code: 'RL', name: 'Restaurang- och livsmedelsprogrammet', orientations: [], courses: VOCATIONAL_CORE },
];

/** How often pupils choose each programme (roughly the national spread). */
// prettier-ignore
export const GY_PROGRAMME_WEIGHTS: Readonly<Record<string, number>> = {
  NA: 16, SA: 20, EK: 15, TE: 12, ES: 7, EE: 5, BF: 4, VO: 4, BA: 5, FT: 4, HA: 4, RL: 4,
};
