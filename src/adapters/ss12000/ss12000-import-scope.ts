import type { Provenance, SecurityMarking } from '../../records/learner-record.types';
import type { ImportContext, LossEntry } from '../vendor-adapter.port';
import { jsonPointer } from '../shared/json-stream';
import type { EntityIndex, Located, Obj } from './ss12000-entity-index';

/** The adapter's options in a platform registration (see ss12000.adapter.ts optionsSchema). */
export interface Ss12000ImportOptions {
  organiserCode?: string;
  defaultSecurityMarking?: SecurityMarking;
}

/** A place in the input: file and JSON pointer. */
export interface Where {
  file?: string;
  pointer: string;
}

/** Where a canonical object came from, and the input names of its fields where they differ. */
interface Origin {
  where: Where;
  fields: Readonly<Record<string, string>>;
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v : undefined;
export const refId = (v: unknown): string | undefined => (isObj(v) ? str(v.id) : undefined);

export const within = (w: Where, path: string): Where => ({
  ...(w.file !== undefined ? { file: w.file } : {}),
  pointer: `${w.pointer}/${path}`,
});

export const whereOf = (l: Located): Where => ({
  ...(l.file !== undefined ? { file: l.file } : {}),
  pointer: l.pointer,
});

/**
 * The fields of an entity its mapping neither reads nor reports itself (a vendor's own, `_embedded`
 * expansions) are each a loss entry, never silence. `known` lists what the mapping does read.
 */
export function loseUnread(
  scope: ImportScope,
  entity: Obj,
  where: Where,
  known: ReadonlySet<string>,
  noun: string,
): void {
  for (const field of Object.keys(entity))
    if (!known.has(field))
      scope.lose(
        'dropped',
        within(where, jsonPointer([field]).slice(1)),
        `portabel has no place for ${noun}'s ${field}`,
      );
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DATE_TIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T/;
const MAX_ORGANISATION_DEPTH = 20;

/**
 * What building one pupil's record shares: the input's entities, the import's context, the losses found
 * so far, and where each canonical object came from (so a rule the record breaks can be pointed at the
 * place in the input).
 */
export class ImportScope {
  readonly loss: LossEntry[] = [];
  private readonly origins = new WeakMap<object, Origin>();

  constructor(
    readonly index: EntityIndex,
    readonly ctx: ImportContext,
    readonly options: Ss12000ImportOptions,
    private readonly version: string,
  ) {
    this.importedAt = ctx.now.toISOString();
    this.today = this.importedAt.slice(0, 10);
  }

  /** ctx.now as provenance gives it, made once rather than per grade. */
  private readonly importedAt: string;
  readonly today: string;

  provenance(sourceId: string | undefined): Provenance {
    return {
      sourcePlatform: this.ctx.platformId,
      ...(sourceId !== undefined ? { sourceId } : {}),
      adapter: 'ss12000',
      adapterVersion: this.version,
      importedAt: this.importedAt,
    };
  }

  /** Remembers where a canonical object came from; `fields` maps canonical field names to the input's. */
  from<T extends object>(value: T, where: Where, fields: Record<string, string> = {}): T {
    this.origins.set(value, { where, fields });
    return value;
  }

  /** The input place of a canonical pointer: the deepest object on its path with an origin, and the rest. */
  inputOf(root: object, pointer: string): Where {
    const segments = pointer
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let best: { origin: Origin; depth: number } | undefined;
    let node: unknown = root;
    segments.forEach((segment, i) => {
      node = isObj(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
      const origin = typeof node === 'object' && node !== null ? this.origins.get(node) : undefined;
      if (origin) best = { origin, depth: i + 1 };
    });
    if (!best) best = { origin: this.origins.get(root) ?? { where: { pointer: '' }, fields: {} }, depth: 0 };
    const rest = segments.slice(best.depth);
    if (rest.length > 0) rest[0] = best.origin.fields[rest[0]] ?? rest[0];
    const escaped = jsonPointer(rest);
    return { ...best.origin.where, pointer: `${best.origin.where.pointer}${escaped}` };
  }

  lose(kind: LossEntry['kind'], source: Where, detail: string, target?: string): void {
    this.loss.push({
      kind,
      source,
      detail,
      ...(target !== undefined ? { target: { pointer: target } } : {}),
    });
  }

  /**
   * A date field: YYYY-MM-DD as is; a date-time cut to its date (approximated); anything else passed on
   * unchanged for the record's validation to refuse at its place.
   */
  date(value: unknown, where: Where, target: string): unknown {
    if (typeof value !== 'string') return value === null ? undefined : value;
    if (DATE.test(value)) return value;
    const dateTime = DATE_TIME.exec(value);
    if (dateTime) {
      this.lose(
        'approximated',
        where,
        'A date and time where portabel keeps a date: the date is kept',
        target,
      );
      return dateTime[1];
    }
    return value;
  }

  /** The skolenhetskod of an organisation the input holds, if it is a school unit with one. */
  schoolUnitCode(organisationId: string | undefined): string | undefined {
    const code = this.index.get('organisation', organisationId)?.value.schoolUnitCode;
    return typeof code === 'string' && /^[0-9]{8}$/.test(code) ? code : undefined;
  }

  /**
   * The organiser's kommun code for a school unit: the municipalityCode of the Huvudman above it in the
   * organisation tree; else the unit's own municipality (approximated: where a unit lies need not be who
   * runs it); else the registration's organiserCode or the importing kommun (defaulted).
   */
  organiserCode(organisationId: string, where: Where, target: string): string {
    let org = this.index.get('organisation', organisationId)?.value;
    const unit = org;
    for (let depth = 0; org && depth < MAX_ORGANISATION_DEPTH; depth++) {
      const code = org.municipalityCode;
      if (org.organisationType === 'Huvudman' && typeof code === 'string' && /^[0-9]{4}$/.test(code))
        return code;
      org = this.index.get('organisation', refId(org.parentOrganisation))?.value;
    }
    const own = unit?.municipalityCode;
    if (typeof own === 'string' && /^[0-9]{4}$/.test(own)) {
      this.lose(
        'approximated',
        where,
        "No Huvudman with a municipalityCode above the school unit: its own municipality is taken as the organiser's",
        target,
      );
      return own;
    }
    const fallback = this.options.organiserCode ?? this.ctx.kommunCode;
    this.lose(
      'defaulted',
      where,
      `No organiser kommun in the organisation tree: ${fallback} is used`,
      target,
    );
    return fallback;
  }
}
