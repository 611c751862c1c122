// SS 12000 person → the canonical pupil, contact and guardians. Pure: values the record cannot take are
// passed on unchanged for validation to refuse at their place; what has no place is a loss entry.
import { normaliseCivicNo } from '../../records/civic-number';
import type { Contact, Guardian, GuardianRelation, Pupil } from '../../records/learner-record.types';
import type { Located, Obj } from './ss12000-entity-index';
import {
  ADDRESS_ALIASES,
  ADDRESS_TYPES,
  custodyOf,
  EMAIL_TYPES_IN,
  GUARDIAN_RELATIONS,
  PHONE_TYPES,
  RELATION_ALIASES,
  SEXES,
} from './ss12000-codes';
import { ImportScope, isObj, loseUnread, str, whereOf, within, type Where } from './ss12000-import-scope';
import { EPPN_CONTEXT } from './ss12000.mapper';

/**
 * The person fields the mapping reads or reports itself. `meta` (the platform's own created and modified
 * times) describes the entry, not the person.
 */
const PERSON_FIELDS = new Set([
  'id', 'meta', 'givenName', 'middleName', 'familyName', 'eduPersonPrincipalNames', 'externalIdentifiers',
  'civicNo', 'birthDate', 'sex', 'securityMarking', 'personStatus', 'photo', 'emails', 'phoneNumbers',
  'addresses', 'enrolments', 'responsibles',
]); // prettier-ignore

/** A "tillfälligt personnummer" some student registers make up (date, two letters, two digits). */
const TEMPORARY_CIVIC_NO = /^[0-9]{8}[A-Z]{2}[0-9]{2}$/;

export function pupilOf(scope: ImportScope, person: Located): Pupil {
  const p = person.value;
  const at = whereOf(person);
  const id = p.id as string;
  const pupil: Record<string, unknown> = { givenName: p.givenName, familyName: p.familyName };
  if (str(p.middleName) !== undefined) pupil.middleName = p.middleName;
  const civicNo = civicNoOf(scope, p.civicNo, within(at, 'civicNo'), '/pupil/civicNo');
  if (civicNo !== undefined) pupil.civicNo = civicNo;
  const birthDate = scope.date(p.birthDate, within(at, 'birthDate'), '/pupil/birthDate');
  if (birthDate !== undefined) pupil.birthDate = birthDate;
  if (SEXES.includes(p.sex as never)) pupil.sex = p.sex;
  else if (p.sex !== undefined && p.sex !== null)
    scope.lose('unknown-code', within(at, 'sex'), `sex ${JSON.stringify(p.sex)} is not Man, Kvinna or Okänt`);
  if (p.securityMarking === undefined || p.securityMarking === null) {
    pupil.securityMarking = scope.options.defaultSecurityMarking ?? 'Ingen';
    scope.lose(
      'defaulted',
      within(at, 'securityMarking'),
      `No securityMarking: ${String(pupil.securityMarking)} is assumed`,
      '/pupil/securityMarking',
    );
  } else pupil.securityMarking = p.securityMarking;

  const identifiers = externalIdentifiers(scope, p, at);
  if (identifiers.length > 0) pupil.externalIdentifiers = identifiers;
  if (p.personStatus !== undefined && p.personStatus !== 'Aktiv')
    scope.lose(
      'dropped',
      within(at, 'personStatus'),
      `portabel has no place for personStatus ${JSON.stringify(p.personStatus)}`,
    );
  if (p.photo !== undefined) scope.lose('dropped', within(at, 'photo'), 'portabel has no place for photos');
  loseUnread(scope, p, at, PERSON_FIELDS, 'a person');
  pupil.provenance = scope.provenance(id);
  return scope.from(pupil, at) as unknown as Pupil;
}

function externalIdentifiers(scope: ImportScope, p: Obj, at: Where): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<string>();
  const add = (value: unknown, where: Where, build: () => unknown) => {
    const key = isObj(value) ? JSON.stringify([value.value, value.context]) : JSON.stringify(value);
    if (seen.has(key)) return;
    seen.add(key);
    const item = build();
    out.push(isObj(item) ? scope.from(item, where) : item);
  };
  (Array.isArray(p.externalIdentifiers) ? p.externalIdentifiers : []).forEach((e, j) =>
    add(e, within(at, `externalIdentifiers/${j}`), () =>
      isObj(e)
        ? {
            value: e.value,
            context: e.context,
            ...(e.globallyUnique !== undefined ? { globallyUnique: e.globallyUnique } : {}),
          }
        : e,
    ),
  );
  // SS 12000 keeps eduPersonPrincipalNames apart; earlier drafts as { value, type } objects.
  (Array.isArray(p.eduPersonPrincipalNames) ? p.eduPersonPrincipalNames : []).forEach((e, j) => {
    const value = isObj(e) ? e.value : e;
    add({ value, context: EPPN_CONTEXT }, within(at, `eduPersonPrincipalNames/${j}`), () => ({
      value,
      context: EPPN_CONTEXT,
      globallyUnique: true,
    }));
  });
  return out;
}

/** A civic number: twelve digits as SS 12000 writes them; separators and ten-digit forms tolerated. */
export function civicNoOf(scope: ImportScope, c: unknown, where: Where, target: string): unknown {
  if (c === undefined || c === null) return undefined;
  if (!isObj(c) || typeof c.value !== 'string') return c;
  const nationality = typeof c.nationality === 'string' ? { nationality: c.nationality } : {};
  if (nationality.nationality !== undefined && nationality.nationality !== 'SE')
    return { value: c.value, ...nationality };
  const compact = c.value.replace(/[\s-]/g, '');
  if (TEMPORARY_CIVIC_NO.test(compact)) {
    scope.lose(
      'dropped',
      within(where, 'value'),
      'A tillfälligt personnummer is not a civic number; it is not kept',
      target,
    );
    return undefined;
  }
  if (/^[0-9]{12}$/.test(compact)) return { value: compact, ...nationality };
  const twelve = /^[0-9]{6}\+?[0-9]{4}$/.test(compact) ? normaliseCivicNo(c.value, scope.ctx.now) : undefined;
  if (twelve) {
    scope.lose(
      'approximated',
      within(where, 'value'),
      'A ten-digit civic number: the century is inferred',
      `${target}/value`,
    );
    return { value: twelve, ...nationality };
  }
  return { value: c.value, ...nationality };
}

/** Addresses, e-mail and phone numbers of a person; `at` is where the contact goes in the record. */
export function contactOf(scope: ImportScope, person: Located, at: string): Contact {
  const p = person.value;
  const where = whereOf(person);
  const contact: Contact = {};
  const items = (field: string): unknown[] => (Array.isArray(p[field]) ? (p[field] as unknown[]) : []);

  items('emails').forEach((e, j) => {
    const w = within(where, `emails/${j}`);
    const target = `${at}/emails/${contact.emails?.length ?? 0}`;
    if (!isObj(e)) return scope.lose('dropped', w, 'An e-mail entry that is not an object');
    let type = EMAIL_TYPES_IN[e.type as string];
    if (!type) {
      type = 'Annan';
      if (e.type === undefined)
        scope.lose('defaulted', within(w, 'type'), 'No e-mail type: Annan', `${target}/type`);
      else
        scope.lose(
          'unknown-code',
          within(w, 'type'),
          `Unknown e-mail type ${JSON.stringify(e.type)}: Annan`,
          `${target}/type`,
        );
    }
    (contact.emails ??= []).push(scope.from({ value: e.value as string, type }, w));
  });

  items('phoneNumbers').forEach((e, j) => {
    const w = within(where, `phoneNumbers/${j}`);
    const target = `${at}/phoneNumbers/${contact.phoneNumbers?.length ?? 0}`;
    if (!isObj(e)) return scope.lose('dropped', w, 'A phone entry that is not an object');
    let type = PHONE_TYPES.find((t) => t === e.type);
    if (!type) {
      type = e.mobile === true ? 'Mobil' : 'Annan';
      if (e.type !== undefined)
        scope.lose(
          'unknown-code',
          within(w, 'type'),
          `Unknown phone type ${JSON.stringify(e.type)}: ${type}`,
          `${target}/type`,
        );
      else if (e.mobile !== true)
        scope.lose('defaulted', within(w, 'type'), 'No phone type: Annan', `${target}/type`);
    } else if (e.mobile === true && type !== 'Mobil') {
      scope.lose(
        'dropped',
        within(w, 'mobile'),
        `A ${type} number marked mobile: portabel keeps one type, ${type}`,
      );
    }
    // Earlier SS 12000 drafts named the number `number`.
    (contact.phoneNumbers ??= []).push(
      scope.from(
        { value: (e.value ?? e.number) as string, type },
        w,
        e.value === undefined ? { value: 'number' } : {},
      ),
    );
  });

  items('addresses').forEach((e, j) => {
    const w = within(where, `addresses/${j}`);
    const target = `${at}/addresses/${contact.addresses?.length ?? 0}`;
    if (!isObj(e)) return scope.lose('dropped', w, 'An address entry that is not an object');
    let type = ADDRESS_TYPES.find((t) => t === e.type);
    if (!type) {
      const alias = ADDRESS_ALIASES[e.type as string];
      type = alias?.type ?? (e.type === undefined ? 'Folkbokföring' : 'Annan');
      if (e.type === undefined)
        scope.lose(
          'defaulted',
          within(w, 'type'),
          'No address type: Folkbokföring, as SS 12000 says',
          `${target}/type`,
        );
      else if (!alias)
        scope.lose(
          'unknown-code',
          within(w, 'type'),
          `Unknown address type ${JSON.stringify(e.type)}: Annan`,
          `${target}/type`,
        );
      else if (!alias.exact)
        scope.lose(
          'approximated',
          within(w, 'type'),
          `Address type ${e.type as string} is kept as Annan`,
          `${target}/type`,
        );
    }
    const address: Record<string, unknown> = {
      type,
      streetAddress: e.streetAddress,
      locality: e.locality,
      postalCode: e.postalCode,
    };
    const country = str(e.countryCode) ?? str(e.country);
    if (country !== undefined) {
      if (/^[A-Z]{2}$/.test(country)) address.countryCode = country;
      else if (/^(sverige|sweden)$/i.test(country)) address.countryCode = 'SE';
      else
        scope.lose(
          'dropped',
          within(w, e.countryCode !== undefined ? 'countryCode' : 'country'),
          `Country ${JSON.stringify(country)} is not an ISO 3166 code`,
        );
    }
    for (const field of ['countyCode', 'municipalityCode', 'realEstateDesignation'])
      if (e[field] !== undefined)
        scope.lose('dropped', within(w, field), `portabel has no place for an address's ${field}`);
    (contact.addresses ??= []).push(
      scope.from(address, w, {
        countryCode: e.countryCode !== undefined ? 'countryCode' : 'country',
      }) as never,
    );
  });
  return contact;
}

/** The pupil's responsibles, each with the person the input holds for them. */
export function guardiansOf(scope: ImportScope, person: Located): Guardian[] {
  const p = person.value;
  const where = whereOf(person);
  const guardians: Guardian[] = [];
  const seen = new Set<string>();
  (Array.isArray(p.responsibles) ? p.responsibles : []).forEach((r: Obj, j) => {
    const w = within(where, `responsibles/${j}`);
    const id = (isObj(r.person) ? r.person.id : r.id) as string;
    const adult = scope.index.get('person', id);
    if (!adult) {
      scope.lose(
        'dropped',
        w,
        `The responsible ${id} is not a person in the input: only the id would be known`,
      );
      return;
    }
    if (seen.has(id)) {
      scope.lose('dropped', w, `The responsible ${id} is listed twice; the first is kept`);
      return;
    }
    seen.add(id);
    const k = guardians.length;
    let relation =
      GUARDIAN_RELATIONS.find((t) => t === r.relationType) ?? RELATION_ALIASES[r.relationType as string];
    if (!relation) {
      const unknown: GuardianRelation = 'Annan ansvarig';
      if (r.relationType === undefined)
        scope.lose(
          'defaulted',
          within(w, 'relationType'),
          'No relationType: Annan ansvarig, without custody',
          `/guardians/${k}/relation`,
        );
      else
        scope.lose(
          'unknown-code',
          within(w, 'relationType'),
          `Unknown relationType ${JSON.stringify(r.relationType)}: Annan ansvarig, without custody`,
          `/guardians/${k}/relation`,
        );
      relation = unknown;
    }
    const a = adult.value;
    const guardian: Record<string, unknown> = { id, givenName: a.givenName, familyName: a.familyName };
    const civicNo = civicNoOf(scope, a.civicNo, within(whereOf(adult), 'civicNo'), `/guardians/${k}/civicNo`);
    if (civicNo !== undefined) guardian.civicNo = civicNo;
    guardian.relation = relation;
    guardian.custody = custodyOf(relation);
    const contact = contactOf(scope, adult, `/guardians/${k}/contact`);
    if (Object.keys(contact).length > 0) guardian.contact = { ...contact, provenance: scope.provenance(id) };
    loseUnread(scope, a, whereOf(adult), PERSON_FIELDS, 'a person');
    guardian.provenance = scope.provenance(id);
    guardians.push(scope.from(guardian, whereOf(adult)) as unknown as Guardian);
  });
  return guardians;
}
