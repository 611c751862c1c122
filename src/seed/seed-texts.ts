// Swedish free text for synthetic assessments, support measures and evidence. Written to read like what
// teachers write in IUP and skriftliga omdömen, and kept free of anything that would be a health detail.
import type { Prng } from './prng';

export interface TextSubject {
  givenName: string;
  /** 'hon' or 'han'. */
  pronoun: string;
}

/** Fills {namn}, {hen} and {Hen} (the pronoun capitalised). */
const fill = (template: string, who: TextSubject): string =>
  template.replace(/\{(namn|hen|Hen)\}/g, (_, key: string) => {
    if (key === 'namn') return who.givenName;
    if (key === 'hen') return who.pronoun;
    return who.pronoun.charAt(0).toUpperCase() + who.pronoun.slice(1);
  });

const IUP_PROGRESS = [
  'utvecklats väl i de flesta ämnen',
  'gjort tydliga framsteg i läsning och skrivning',
  'arbetat stadigt och med god koncentration',
  'vuxit i sin förmåga att samarbeta med andra',
  'utvecklat sin förmåga att lösa problem i matematik',
  'blivit tryggare i klassen och tar mer plats i samtalen',
];
const IUP_STRENGTHS = [
  '{Hen} är nyfiken och ställer gärna frågor under lektionerna.',
  '{Hen} tar ansvar för sitt skolarbete och är en god kamrat.',
  '{Hen} uttrycker sig väl muntligt och deltar aktivt i diskussioner.',
  '{Hen} visar stor kreativitet i bild och slöjd.',
  '{Hen} har lätt för att se mönster och samband i matematiken.',
  '{Hen} lyssnar på andra och hjälper gärna kamrater som fastnat.',
  '{Hen} läser gärna och väljer allt längre böcker själv.',
];
const IUP_GOALS = [
  'Målet till nästa läsår är att {hen} ska läsa mer på egen hand.',
  'Nästa steg är att träna på att förklara hur {hen} tänker när {hen} löser problem.',
  'Nästa steg är att ge texterna en tydlig struktur med inledning, huvuddel och avslutning.',
  'Målet är att {hen} ska bli säkrare på multiplikationstabellerna.',
  'Målet är att {hen} ska våga ta mer plats i gruppdiskussioner.',
  'Nästa steg är att komma igång snabbare med uppgifterna efter genomgångar.',
];
const IUP_AGREEMENTS = [
  '{namn} läser hemma en stund varje dag',
  'skolan ger extra lästräning två gånger i veckan',
  'vårdnadshavare och mentor stämmer av hur det går efter jullovet',
  '{namn} använder en veckoplanering för läxorna',
  '{namn} tränar tabellerna med en app hemma och i skolan',
];

/** An individuell utvecklingsplan with written assessment for one school year. */
export function iupText(prng: Prng, who: TextSubject, schoolYearLabel: string): string {
  const strengths = prng.sample(IUP_STRENGTHS, 2).join(' ');
  return fill(
    `{namn} har under läsåret ${schoolYearLabel} ${prng.pick(IUP_PROGRESS)}. ${strengths} ` +
      `${prng.pick(IUP_GOALS)} Vid utvecklingssamtalet kom vi överens om att ${prng.pick(IUP_AGREEMENTS)}.`,
    who,
  );
}

const LEVELS = ['mycket goda', 'goda', 'godtagbara', 'ännu inte godtagbara'];
const SUBJECT_REMARKS: Record<string, string[]> = {
  SV: [
    '{Hen} läser med flyt och kan återberätta det viktigaste i en text.',
    '{Hen} skriver berättelser med tydlig handling och varierat språk.',
    'När {hen} skriver faktatexter använder {hen} ämnesord på ett träffande sätt.',
  ],
  MA: [
    '{Hen} räknar säkert med de fyra räknesätten och väljer lämpliga metoder.',
    '{Hen} kan beskriva sina lösningar med bilder, ord och symboler.',
    'Problemlösning i flera steg är något {hen} ska fortsätta träna på.',
  ],
  EN: [
    '{Hen} förstår det viktigaste i enkla talade och skrivna texter.',
    '{Hen} vågar prata engelska och gör sig förstådd i samtal om vardagliga ämnen.',
    'Ordförrådet växer och {hen} skriver korta texter med begriplig struktur.',
  ],
  NO: [
    '{Hen} genomför enkla undersökningar och dokumenterar dem noggrant.',
    '{Hen} kan förklara enkla samband i naturen, till exempel vattnets kretslopp.',
  ],
  SO: [
    '{Hen} kan berätta om hur människor levde under olika tider.',
    '{Hen} resonerar om regler och demokrati i skolan och samhället.',
  ],
};
const NEXT_STEPS = [
  'Nästa steg är att utveckla sina resonemang med fler exempel.',
  'Fortsätt att träna på att ge och ta emot respons.',
  'Nästa steg är att oftare kontrollera sina svar.',
  'Fortsätt att läsa och skriva varje dag.',
];

/** A skriftligt omdöme in a subject, for the years without grades. */
export function writtenAssessmentText(
  prng: Prng,
  who: TextSubject,
  subjectCode: string,
  subject: string,
  schoolYear: number,
  level: number,
): string {
  const remarks = SUBJECT_REMARKS[subjectCode] ?? SUBJECT_REMARKS.SO;
  return fill(
    `I ${subject.toLowerCase()} visar {namn} ${LEVELS[level]} kunskaper i förhållande till målen för årskurs ` +
      `${schoolYear}. ${prng.sample(remarks, 2).join(' ')} ${prng.pick(NEXT_STEPS)}`,
    who,
  );
}

const ADAPTATIONS = [
  'förlängd tid vid prov',
  'tydliga instruktioner både muntligt och skriftligt',
  'ett bildstöd för dagens schema',
  'hjälp att komma igång med uppgifter',
  'tillgång till inläsningstjänst för läromedel',
  'möjlighet att redovisa muntligt',
  'en lugn plats att arbeta på',
  'uppdelade uppgifter med delmål',
];
const SUPPORT_FORMS = [
  'undervisning i mindre grupp två lektioner i veckan',
  'en speciallärare som arbetar med {namn} enskilt tre gånger i veckan',
  'en elevassistent under delar av skoldagen',
  'anpassat studiematerial och regelbunden uppföljning med mentor',
];

/** The description of extra anpassningar in the named subjects. */
export function adaptationsText(prng: Prng, who: TextSubject, subjects: string[]): string {
  const chosen = prng.sample(ADAPTATIONS, prng.int(2, 3));
  const where = subjects.length > 0 ? ` i ${subjects.map((s) => s.toLowerCase()).join(' och ')}` : '';
  return fill(
    `Extra anpassningar inom den ordinarie undervisningen${where}: ${chosen.join(', ')}. ` +
      'Mentor följer upp anpassningarna med {namn} och vårdnadshavare varannan vecka.',
    who,
  );
}

/** The description of särskilt stöd decided in an åtgärdsprogram. */
export function specialSupportText(prng: Prng, who: TextSubject): string {
  return fill(
    'Efter en utredning av behovet av särskilt stöd har rektor beslutat om åtgärdsprogram. ' +
      `Stödet ges som ${prng.pick(SUPPORT_FORMS)}. Åtgärdsprogrammet utvärderas i slutet av varje termin ` +
      'tillsammans med {namn} och vårdnadshavare.',
    who,
  );
}

/** Pupils' work kept as evidence, by subject: title and the media type of the file. */
// prettier-ignore
export const EVIDENCE_ITEMS: Readonly<Record<string, readonly (readonly [string, EvidenceMediaType])[]>> = {
  SV: [['Bokrecension', 'application/pdf'], ['Novell: Den sista sommaren', 'application/pdf'], ['Muntlig framställning om skoluniformer', 'video/mp4']],
  EN: [['Podcast: My favourite place', 'audio/mpeg'], ['Book report: Wonder', 'application/pdf']],
  MA: [['Problemlösning: Geometri i skolgården', 'application/pdf'], ['Statistikundersökning om skärmtid', 'application/pdf']],
  BI: [['Laborationsrapport: Fotosyntes', 'application/pdf'], ['Artkartläggning i närskogen', 'image/jpeg']],
  KE: [['Laborationsrapport: Syror och baser', 'application/pdf']],
  FY: [['Laborationsrapport: Pendelns period', 'application/pdf']],
  TK: [['Konstruktion: Bro av glasspinnar', 'image/jpeg'], ['Programmering: Trafikljus med micro:bit', 'video/mp4']],
  BL: [['Självporträtt i akvarell', 'image/jpeg'], ['Serie om en vardagshändelse', 'image/jpeg']],
  SLJ: [['Slöjdalster: Träskål', 'image/jpeg'], ['Sydd väska med applikation', 'image/jpeg']],
  MU: [['Inspelning: Egen låt i grupp', 'audio/mpeg']],
  HI: [['Tidslinje över industrialiseringen', 'application/pdf']],
};

export type EvidenceMediaType = 'application/pdf' | 'image/jpeg' | 'video/mp4' | 'audio/mpeg';

export const FILE_EXTENSIONS: Readonly<Record<EvidenceMediaType, string>> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'video/mp4': 'mp4',
  'audio/mpeg': 'mp3',
};
