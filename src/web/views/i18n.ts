/**
 * The pages' languages: Swedish by default, English one click away (a `lang` cookie, or `?lang=en`).
 * Statuses and reasons reuse the texts the API already gives in both languages; the rest is here.
 */
export const LANGS = ['sv', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export type Bilingual = { sv: string; en: string };

export const isLang = (v: unknown): v is Lang => v === 'sv' || v === 'en';

const TEXTS = {
  appName: { sv: 'portabel', en: 'portabel' },
  skip: { sv: 'Hoppa till innehållet', en: 'Skip to content' },
  switchLang: { sv: 'In English', en: 'På svenska' },
  signIn: { sv: 'Logga in', en: 'Sign in' },
  signOut: { sv: 'Logga ut', en: 'Sign out' },
  signInTitle: { sv: 'Logga in på portabel', en: 'Sign in to portabel' },
  signInIntro: {
    sv: 'Elevens lärandeinformation följer eleven. Logga in hos din kommuns inloggningstjänst för att se vad som finns om dig eller ditt barn.',
    en: "A pupil's learning record follows the pupil. Sign in at your kommun's identity provider to see what is held about you or your child.",
  },
  signInWith: { sv: 'Logga in med {name}', en: 'Sign in with {name}' },
  devIdpName: { sv: 'utvecklingsinloggningen (demo)', en: 'the development sign-in (demo)' },
  noIdp: {
    sv: 'Ingen inloggningstjänst är konfigurerad. Se README: AUTH_ISSUERS_FILE.',
    en: 'No identity provider is configured. See the README: AUTH_ISSUERS_FILE.',
  },
  signedInAs: { sv: 'Inloggad som {name}', en: 'Signed in as {name}' },
  nav: { sv: 'Huvudmeny', en: 'Main menu' },
  home: { sv: 'Start', en: 'Home' },
  myRequests: { sv: 'Mina ärenden', en: 'My requests' },
  pupils: { sv: 'Elever', en: 'Pupils' },
  imports: { sv: 'Importer', en: 'Imports' },
  exports: { sv: 'Exporter', en: 'Exports' },
  dpoRequests: { sv: 'Begäranden', en: 'Requests' },
  audit: { sv: 'Loggkontroll', en: 'Audit check' },
  policy: { sv: 'Policy', en: 'Policy' },
  keys: { sv: 'Nycklar', en: 'Keys' },
  trust: { sv: 'Förtroenderegister', en: 'Trust registry' },
  transfers: { sv: 'Överlämningar', en: 'Transfers' },
  kommun: { sv: 'Kommun', en: 'Kommun' },
  errorTitle: { sv: 'Något gick fel', en: 'Something went wrong' },
  notFoundTitle: { sv: 'Sidan finns inte', en: 'Page not found' },
  notFound: {
    sv: 'Det du sökte finns inte, eller så har du inte behörighet att se det.',
    en: 'What you looked for is not here, or you may not see it.',
  },
  forbiddenTitle: { sv: 'Ingen behörighet', en: 'Not allowed' },
  forbidden: {
    sv: 'Din roll får inte göra det här. Kontakta kommunen om du tror att det är fel.',
    en: 'Your role may not do this. Contact the kommun if you think this is wrong.',
  },
  csrfTitle: { sv: 'Formuläret gick ut', en: 'The form expired' },
  csrf: {
    sv: 'Formuläret kunde inte skickas (sessionen har gått ut eller sidan kom från en annan webbplats). Ladda om sidan och försök igen.',
    en: 'The form could not be sent (the session expired or the page came from another site). Reload the page and try again.',
  },
  errorSummary: { sv: 'Det finns fel i formuläret', en: 'There is a problem' },
  backHome: { sv: 'Till startsidan', en: 'Back to the start page' },
  reference: { sv: 'Referens', en: 'Reference' },
  // Guardian and pupil
  yourChildren: { sv: 'Dina barn', en: 'Your children' },
  yourself: { sv: 'Du', en: 'You' },
  noChildren: {
    sv: 'Vi hittar inga barn som du är vårdnadshavare för i den här kommunen.',
    en: 'We find no children in your custody in this kommun.',
  },
  schoolYear: { sv: 'Årskurs {year}', en: 'Year {year}' },
  schoolUnit: { sv: 'Skolenhet {code}', en: 'School unit {code}' },
  open: { sv: 'Öppna', en: 'Open' },
  childTitle: { sv: 'Barnets uppgifter', en: "The child's data" },
  selfTitle: { sv: 'Dina uppgifter', en: 'Your data' },
  consentsHeading: { sv: 'Samtycken', en: 'Consents' },
  consentsIntro: {
    sv: 'Här bestämmer du vad som får delas med samtycke. Det som skolan måste lämna enligt lag visas också, men kräver inget samtycke. Du kan återkalla ett samtycke lika enkelt som du gav det.',
    en: 'Here you decide what may be shared on consent. What the school must hand over by law is shown too, but needs no consent. You can withdraw a consent as easily as you gave it.',
  },
  consentBy: { sv: 'Samtycke ges av: {who}', en: 'Consent is given by: {who}' },
  consentByPupil: { sv: 'eleven själv', en: 'the pupil' },
  consentByGuardians: { sv: 'vårdnadshavare', en: 'guardians' },
  category: { sv: 'Uppgifter', en: 'Data' },
  basis: { sv: 'Grund', en: 'Basis' },
  status: { sv: 'Status', en: 'Status' },
  never: { sv: 'Lämnas aldrig ut', en: 'Never shared' },
  given: { sv: 'Samtycke givet', en: 'Consent given' },
  notGiven: { sv: 'Inget samtycke', en: 'No consent' },
  notNeeded: { sv: 'Inget samtycke behövs', en: 'No consent needed' },
  give: { sv: 'Ge samtycke', en: 'Give consent' },
  withdraw: { sv: 'Återkalla samtycke', en: 'Withdraw consent' },
  nothingOnConsent: {
    sv: 'Inget i detta syfte bygger på samtycke.',
    en: 'Nothing for this purpose rests on consent.',
  },
  consentGiven: {
    sv: 'Samtycket är registrerat. Kvitto finns i historiken nedan.',
    en: 'Your consent is recorded. Its receipt is in the history below.',
  },
  consentWithdrawn: {
    sv: 'Samtycket är återkallat. Kvitto finns i historiken nedan.',
    en: 'Your consent is withdrawn. Its receipt is in the history below.',
  },
  historyHeading: { sv: 'Historik och kvitton', en: 'History and receipts' },
  noHistory: {
    sv: 'Inga samtycken har getts eller återkallats ännu.',
    en: 'No consent has been given or withdrawn yet.',
  },
  granted: { sv: 'Gav samtycke', en: 'Gave consent' },
  withdrawn: { sv: 'Återkallade samtycke', en: 'Withdrew consent' },
  byYou: { sv: 'av dig', en: 'by you' },
  byOther: { sv: 'av {role}', en: 'by {role}' },
  roleGuardian: { sv: 'vårdnadshavare', en: 'a guardian' },
  rolePupil: { sv: 'eleven', en: 'the pupil' },
  receipt: { sv: 'Hämta kvitto', en: 'Download receipt' },
  receiptHelp: {
    sv: 'Kvittot är signerat av kommunen och kan kontrolleras mot kommunens publika nycklar.',
    en: "The receipt is signed by the kommun and can be checked against the kommun's public keys.",
  },
  when: { sv: 'När', en: 'When' },
  purpose: { sv: 'Syfte', en: 'Purpose' },
  // Exports and requests
  exportHeading: { sv: 'Få ut alla uppgifter', en: 'Get all the data' },
  exportIntro: {
    sv: 'Du får ett paket med allt som finns om {who}: maskinläsbart och läsbart, signerat av kommunen. Kommunen ska svara inom en månad.',
    en: 'You get a package with everything held about {who}: machine-readable and readable, signed by the kommun. The kommun must answer within one month.',
  },
  theChild: { sv: 'barnet', en: 'the child' },
  you: { sv: 'dig', en: 'you' },
  askExport: { sv: 'Begär export', en: 'Ask for an export' },
  exportStarted: {
    sv: 'Din begäran är mottagen. Följ den under Mina ärenden.',
    en: 'Your request is received. Follow it under My requests.',
  },
  disclosuresHeading: { sv: 'Vem har fått uppgifter', en: 'Who received data' },
  disclosuresLink: { sv: 'Se vem som har fått uppgifter', en: 'See who received data' },
  disclosuresIntro: {
    sv: 'Varje gång uppgifter lämnas ut skrivs det i kommunens logg: till vem, vad, när och med vilket stöd.',
    en: "Each time data leaves, the kommun's log records it: to whom, what, when and on which basis.",
  },
  noDisclosures: { sv: 'Inga uppgifter har lämnats ut.', en: 'No data has been disclosed.' },
  disclosureLine: {
    sv: '{when} fick {recipient} uppgifter för {purpose}.',
    en: 'On {when}, {recipient} received data for {purpose}.',
  },
  recipientSelf: { sv: 'du (eller eleven)', en: 'you (or the pupil)' },
  recipientUnknown: { sv: 'en mottagare', en: 'a recipient' },
  whatWent: { sv: 'Vad', en: 'What' },
  onBasis: { sv: 'Med stöd av', en: 'On the basis of' },
  rightsHeading: { sv: 'Rätta, begränsa eller radera', en: 'Correct, restrict or erase' },
  rightsIntro: {
    sv: 'Är något fel, vill du att behandlingen stoppas eller att uppgifter raderas? Beskriv det så handläggs det av kommunens dataskyddsombud. Vissa uppgifter måste arkiveras enligt lag och kan inte raderas.',
    en: "Is something wrong, do you want processing stopped, or data erased? Describe it and the kommun's data protection officer handles it. Some data must be archived by law and cannot be erased.",
  },
  kind: { sv: 'Vad gäller det?', en: 'What is it about?' },
  description: { sv: 'Beskriv med egna ord', en: 'Describe in your own words' },
  descriptionHint: {
    sv: 'Skriv inte andras personnummer här.',
    en: "Do not write other people's civic numbers here.",
  },
  descriptionRequired: { sv: 'Beskriv vad det gäller.', en: 'Describe what it is about.' },
  send: { sv: 'Skicka', en: 'Send' },
  requestSent: { sv: 'Din begäran är mottagen.', en: 'Your request is received.' },
  requestsHeading: { sv: 'Mina ärenden', en: 'My requests' },
  noRequests: { sv: 'Du har inga ärenden.', en: 'You have no requests.' },
  received: { sv: 'Mottagen', en: 'Received' },
  deadline: { sv: 'Svar senast', en: 'Answer by' },
  daysLeft: { sv: '{n} dagar kvar', en: '{n} days left' },
  overdue: { sv: 'Försenad', en: 'Overdue' },
  download: { sv: 'Hämta paketet', en: 'Download the package' },
  downloadHelp: {
    sv: 'Länken gäller till {date}. Dela den inte: den som har länken kan hämta paketet.',
    en: 'The link works until {date}. Do not share it: anyone with the link can download the package.',
  },
  answer: { sv: 'Svar', en: 'Answer' },
  events: { sv: 'Händelser', en: 'Events' },
  requestTitle: { sv: 'Ärende', en: 'Request' },
  details: { sv: 'Visa', en: 'View' },
  refresh: { sv: 'Uppdatera', en: 'Refresh' },
  // Registrar
  pupilsHeading: { sv: 'Elever', en: 'Pupils' },
  search: { sv: 'Sök på namn eller personnummer', en: 'Search by name or civic number' },
  searchButton: { sv: 'Sök', en: 'Search' },
  noPupils: { sv: 'Inga elever hittades.', en: 'No pupils found.' },
  name: { sv: 'Namn', en: 'Name' },
  civicNo: { sv: 'Personnummer', en: 'Civic number' },
  enrolment: { sv: 'Skolplacering', en: 'Enrolment' },
  nextPage: { sv: 'Nästa sida', en: 'Next page' },
  importsHeading: { sv: 'Importer', en: 'Imports' },
  importUpload: { sv: 'Importera en fil', en: 'Import a file' },
  importFile: { sv: 'Fil (zip, CSV, JSON eller XML)', en: 'File (zip, CSV, JSON or XML)' },
  importFileRequired: { sv: 'Välj en fil att importera.', en: 'Choose a file to import.' },
  format: { sv: 'Format', en: 'Format' },
  formatAuto: { sv: 'Känn igen automatiskt', en: 'Recognise automatically' },
  dryRun: { sv: 'Provkör (skriv ingenting)', en: 'Dry run (write nothing)' },
  startImport: { sv: 'Starta import', en: 'Start the import' },
  noImports: { sv: 'Inga importer ännu.', en: 'No imports yet.' },
  file: { sv: 'Fil', en: 'File' },
  started: { sv: 'Startad', en: 'Started' },
  progress: { sv: 'Förlopp', en: 'Progress' },
  progressOf: { sv: '{done} av {total} elever', en: '{done} of {total} pupils' },
  progressDone: { sv: '{done} elever', en: '{done} pupils' },
  importTitle: { sv: 'Import', en: 'Import' },
  counts: { sv: 'Resultat', en: 'Result' },
  lossReport: { sv: 'Förlustrapport', en: 'Loss report' },
  lossIntro: {
    sv: 'Det som inte kunde föras över exakt, per elev och fält.',
    en: 'What could not be carried over exactly, per pupil and field.',
  },
  noLoss: { sv: 'Inget gick förlorat.', en: 'Nothing was lost.' },
  where: { sv: 'Var', en: 'Where' },
  why: { sv: 'Varför', en: 'Why' },
  problem: { sv: 'Problem', en: 'Problem' },
  exportsHeading: { sv: 'Exporter', en: 'Exports' },
  noExports: { sv: 'Inga exporter ännu.', en: 'No exports yet.' },
  startExport: { sv: 'Starta export', en: 'Start an export' },
  records: { sv: 'Elever', en: 'Pupils' },
  downloadFile: { sv: 'Hämta filen', en: 'Download the file' },
  // DPO and admin
  requestsByDeadline: { sv: 'Begäranden efter svarsdatum', en: 'Requests by deadline' },
  noOpenRequests: { sv: 'Inga öppna begäranden.', en: 'No open requests.' },
  moveTo: { sv: 'Flytta till', en: 'Move to' },
  reason: { sv: 'Motivering (visas för den som frågade)', en: 'Reason (shown to who asked)' },
  reasonRequired: { sv: 'Ett avslag måste motiveras.', en: 'A refusal needs a reason.' },
  save: { sv: 'Spara', en: 'Save' },
  auditHeading: { sv: 'Kontroll av granskningsloggen', en: 'Audit chain verification' },
  auditOk: { sv: 'Kedjan är hel.', en: 'The chain is intact.' },
  auditBroken: {
    sv: 'Kedjan är bruten från post {seq}: {reason}',
    en: 'The chain is broken from entry {seq}: {reason}',
  },
  entriesChecked: { sv: 'Kontrollerade poster', en: 'Entries checked' },
  checkpointsVerified: { sv: 'Signerade kontrollpunkter', en: 'Signed checkpoints' },
  afterCheckpoint: { sv: 'Poster efter senaste kontrollpunkt', en: 'Entries after the last checkpoint' },
  verifiedAt: { sv: 'Kontrollerad', en: 'Verified at' },
  policyHeading: { sv: 'Kommunens policy', en: "The kommun's policy" },
  policyVersion: { sv: 'Version {v}', en: 'Version {v}' },
  consentAge: { sv: 'Eleven samtycker själv från {age} år', en: 'Pupils consent alone from age {age}' },
  keysHeading: { sv: 'Kommunens nycklar', en: "The kommun's keys" },
  noKeys: {
    sv: 'Inga nycklar ännu (de skapas vid första användning).',
    en: 'No keys yet (made on first use).',
  },
  use: { sv: 'Användning', en: 'Use' },
  algorithm: { sv: 'Algoritm', en: 'Algorithm' },
  created: { sv: 'Skapad', en: 'Created' },
  trustHeading: { sv: 'Förtroenderegister', en: 'Trust registry' },
  noPeers: {
    sv: 'Kommunen litar inte på någon annan kommun ännu.',
    en: 'The kommun trusts no other kommun yet.',
  },
  peer: { sv: 'Kommun', en: 'Kommun' },
  address: { sv: 'Adress', en: 'Address' },
  keysFetched: { sv: 'Nycklar hämtade', en: 'Keys fetched' },
  keyError: { sv: 'Senaste fel', en: 'Last error' },
  revokedKeys: { sv: 'Spärrade nycklar', en: 'Revoked keys' },
  schoolUnits: { sv: 'Skolenheter', en: 'School units' },
  outbox: { sv: 'Skickade', en: 'Outbox' },
  inbox: { sv: 'Inkorg', en: 'Inbox' },
  sendTransfer: { sv: 'Skicka en elev till en annan kommun', en: 'Send a pupil to another kommun' },
  noTransfers: { sv: 'Inga överlämningar ännu.', en: 'No transfers yet.' },
  noInbox: { sv: 'Inkorgen är tom.', en: 'The inbox is empty.' },
  receiver: { sv: 'Mottagare', en: 'Receiver' },
  sender: { sv: 'Avsändare', en: 'Sender' },
  pupil: { sv: 'Elev', en: 'Pupil' },
  choosePupil: { sv: 'Välj elev', en: 'Choose the pupil' },
  destination: { sv: 'Mottagande kommun och skolenhet', en: 'Receiving kommun and school unit' },
  anyUnit: { sv: 'skolenhet anges senare', en: 'school unit given later' },
  preview: { sv: 'Visa vad som skickas', en: 'Show what will go' },
  willGo: { sv: 'Det här skickas', en: 'This will go' },
  willNotGo: { sv: 'Det här skickas inte', en: 'This will not go' },
  sealAndSend: { sv: 'Försegla och skicka', en: 'Seal and send' },
  nothingToSend: {
    sv: 'Ingenting om eleven får skickas till den kommunen nu.',
    en: 'Nothing of this pupil may go to that kommun now.',
  },
  transferSent: { sv: 'Paketet är förseglat och på väg.', en: 'The package is sealed and on its way.' },
  noPeersToSend: {
    sv: 'Ingen kommun att skicka till: förtroenderegistret är tomt.',
    en: 'No kommun to send to: the trust registry is empty.',
  },
  packageTitle: { sv: 'Inkommet paket', en: 'Received package' },
  diff: { sv: 'Jämfört med det kommunen redan har', en: 'Compared with what the kommun already holds' },
  diffOutcome: { sv: 'Att godkänna skulle', en: 'Accepting would' },
  section: { sv: 'Avsnitt', en: 'Section' },
  change: { sv: 'Ändring', en: 'Change' },
  incoming: { sv: 'Inkommande', en: 'Incoming' },
  held: { sv: 'Finns', en: 'Held' },
  accept: { sv: 'Godkänn och för in', en: 'Accept and import' },
  reject: { sv: 'Avvisa', en: 'Reject' },
  rejectReason: { sv: 'Skäl (skickas till avsändaren)', en: 'Reason (sent to the sender)' },
  rejectReasonRequired: { sv: 'Ange varför paketet avvisas.', en: 'Say why the package is rejected.' },
  decided: {
    sv: 'Beslutet är registrerat och kvittot skickas till avsändaren.',
    en: 'The decision is recorded and the receipt goes to the sender.',
  },
} satisfies Record<string, Bilingual>;

export type TextKey = keyof typeof TEXTS;

/** The text in the language, with `{name}` placeholders filled (values are plain text; pages escape). */
export function t(lang: Lang, key: TextKey, vars: Record<string, string | number> = {}): string {
  return TEXTS[key][lang].replace(/\{([a-z]+)\}/gi, (m, name: string) =>
    vars[name] !== undefined ? String(vars[name]) : m,
  );
}

/** A bilingual text from elsewhere (statuses, purposes, categories) in the language. */
export const pick = (lang: Lang, text: Bilingual): string => text[lang];

/** Sv/en texts for states and reasons the API gives only as codes. */
export const STATE_TEXTS: Record<string, Bilingual> = {
  queued: { sv: 'I kö', en: 'Queued' },
  running: { sv: 'Pågår', en: 'Running' },
  succeeded: { sv: 'Klar', en: 'Done' },
  failed: { sv: 'Misslyckades', en: 'Failed' },
  refused: { sv: 'Stoppad', en: 'Refused' },
  active: { sv: 'Aktiv', en: 'Active' },
  retired: { sv: 'Pensionerad (verifierar fortfarande)', en: 'Retired (still verifies)' },
  revoked: { sv: 'Spärrad', en: 'Revoked' },
  sig: { sv: 'Signering', en: 'Signing' },
  enc: { sv: 'Kryptering', en: 'Encryption' },
  created: { sv: 'Nya', en: 'Created' },
  updated: { sv: 'Ändrade', en: 'Updated' },
  unchanged: { sv: 'Oförändrade', en: 'Unchanged' },
  rejected: { sv: 'Avvisade', en: 'Rejected' },
  deleted: { sv: 'Borttagna', en: 'Deleted' },
  dropped: { sv: 'Utelämnat (ingen plats i målformatet)', en: 'Dropped (no place in the target)' },
  approximated: { sv: 'Ungefärligt', en: 'Approximated' },
  'unknown-code': { sv: 'Okänd kod', en: 'Unknown code' },
  'out-of-range': { sv: 'Utanför tillåtna värden', en: 'Out of range' },
  defaulted: { sv: 'Standardvärde använt', en: 'Default used' },
  'missing-entry': { sv: 'en post saknas (raderad)', en: 'an entry is missing (deleted)' },
  'link-mismatch': {
    sv: 'länken till föregående post stämmer inte (flyttad eller utbytt)',
    en: 'the link to the entry before does not match (reordered or replaced)',
  },
  'hash-mismatch': { sv: 'posten har ändrats', en: 'the entry was changed' },
  'checkpoint-mismatch': {
    sv: 'en signerad kontrollpunkt stämmer inte (kedjan har skrivits om)',
    en: 'a signed checkpoint does not match (the chain was rewritten)',
  },
  'checkpoint-signature-invalid': {
    sv: 'en kontrollpunkts signatur är ogiltig',
    en: "a checkpoint's signature is invalid",
  },
  'checkpoint-key-untrusted': {
    sv: 'en kontrollpunkt är signerad med en spärrad eller okänd nyckel',
    en: 'a checkpoint is signed by a revoked or unknown key',
  },
};

/** Outcomes of an inbox diff and section changes. */
Object.assign(STATE_TEXTS, {
  added: { sv: 'Nytt', en: 'Added' },
  changed: { sv: 'Ändrat', en: 'Changed' },
  removed: { sv: 'Tas bort', en: 'Removed' },
  same: { sv: 'Oförändrat', en: 'The same' },
  accepted: { sv: 'Godkänd', en: 'Accepted' },
});

export const stateText = (lang: Lang, code: string): string => STATE_TEXTS[code]?.[lang] ?? code;

/** Dates as people read them in the language (Europe/Stockholm). */
export function formatDate(lang: Lang, iso: string | Date, withTime = false): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'Europe/Stockholm',
  }).format(d);
}
