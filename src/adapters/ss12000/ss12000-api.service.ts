import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/problem/domain-error';
import { KommunerService } from '../../kommuner/kommuner.service';
import type { RecordResource } from '../../records/record.mapper';
import type { ListRecordsQueryDto } from '../../records/records.dto';
import { RecordScope, WHOLE_KOMMUN } from '../../records/record-scope';
import { RecordsService } from '../../records/records.service';
import { PlatformOutflow } from '../../records/platform-outflow';
import type { AccessContext } from '../../auth/access.guard';
import type { Ss12000DeletedQueryDto, Ss12000ListQueryDto } from './ss12000-api.dto';
import { guardianRefId, organiserId, schoolUnitId } from './ss12000-ids';
import {
  asPageTokenError,
  badQuery,
  decodePageToken,
  encodePageToken,
  filtersWithToken,
  pageTokenInvalid,
} from './ss12000-page-token';
import { pupilToPersons, type ReferenceNames } from './ss12000.mapper';
import type { Ss12000Organisation, Ss12000Page, Ss12000Person } from './ss12000.types';

/** Records are about 10 KB each as SS 12000 persons: a page stays a few MB at most. */
const MAX_PERSONS_PAGE = 200;
const DEFAULT_PERSONS_PAGE = 100;
const MAX_ORGANISATIONS_PAGE = 1000;
/** deletedEntities reads the changes feed; one request reads at most this many changes before answering. */
const CHANGES_BATCH = 1000;
const MAX_CHANGE_BATCHES = 10;

export interface Ss12000DeletedEntities {
  data: { persons: string[] };
  pageToken: string | null;
}

/**
 * The read-only SS 12000 API over portabel's records: pupils as persons (id = portabel's record id), the
 * kommun and its school units as organisations, deleted pupils as deletedEntities. What a person may show
 * goes through the same mapping (and the same securityMarking rule) as the SS 12000 export.
 */
@Injectable()
export class Ss12000ApiService {
  constructor(
    private readonly records: RecordsService,
    private readonly kommuner: KommunerService,
    private readonly outflow: PlatformOutflow,
  ) {}

  async persons(
    kommunCode: string,
    q: Ss12000ListQueryDto,
    scope: RecordScope = WHOLE_KOMMUN,
    access?: AccessContext,
  ): Promise<Ss12000Page<Ss12000Person>> {
    const state = this.state('persons', q);
    const limit = Math.min(q.limit ?? DEFAULT_PERSONS_PAGE, MAX_PERSONS_PAGE);
    const query = { limit, cursor: state.cursor, updatedSince: state.modifiedAfter } as ListRecordsQueryDto;
    const page = await this.records.list(kommunCode, query, scope).catch((err: unknown) => {
      throw asPageTokenError(err);
    });
    // To a platform, an outflow: what the decision point lets go, and no pupil of whom nothing may.
    const released = this.outflow.applies(access)
      ? (await this.outflow.many(kommunCode, page.data, access)).flatMap((o) =>
          o.released ? [o.resource] : [],
        )
      : page.data;
    const names = state.names ? await this.referenceNames(kommunCode) : undefined;
    return {
      data: released.map((r) => toPerson(r, names)),
      pageToken: page.nextCursor
        ? encodePageToken('persons', { c: page.nextCursor, m: state.modifiedAfter, n: state.names })
        : null,
    };
  }

  async person(
    kommunCode: string,
    id: string,
    names: boolean,
    scope: RecordScope = WHOLE_KOMMUN,
    access?: AccessContext,
  ): Promise<Ss12000Person> {
    const resource = (await this.records.get(kommunCode, id, scope)).parsed();
    return toPerson(
      this.outflow.applies(access) ? await this.outflow.one(kommunCode, resource, access) : resource,
      names ? await this.referenceNames(kommunCode) : undefined,
    );
  }

  async organisations(kommunCode: string, q: Ss12000ListQueryDto): Promise<Ss12000Page<Ss12000Organisation>> {
    const state = this.state('organisations', q);
    // Keyset, not offset: a school unit added or removed between pages shifts nothing. The position is
    // the last organisation's place in the order (the Huvudman, then school units by code).
    const position = state.cursor;
    if (position !== undefined && !/^(0|1:[0-9]{8})$/.test(position)) throw pageTokenInvalid();
    const limit = Math.min(q.limit ?? MAX_ORGANISATIONS_PAGE, MAX_ORGANISATIONS_PAGE);
    const [kommun, units] = await Promise.all([
      this.kommuner.get(kommunCode),
      this.kommuner.listSchoolUnits(kommunCode),
    ]);
    const huvudman = organiserId(kommunCode);
    const all: Ss12000Organisation[] = [
      {
        id: huvudman,
        meta: { created: kommun.createdAt, modified: kommun.updatedAt },
        displayName: kommun.name,
        organisationType: 'Huvudman',
        municipalityCode: kommunCode,
      },
      ...units.map((u): Ss12000Organisation => ({
        id: schoolUnitId(kommunCode, u.code),
        meta: { created: u.createdAt, modified: u.updatedAt },
        displayName: u.name,
        organisationType: 'Skolenhet',
        schoolUnitCode: u.code,
        schoolTypes: [...u.schoolTypes].sort(),
        municipalityCode: kommunCode,
        parentOrganisation: state.names ? { id: huvudman, displayName: kommun.name } : { id: huvudman },
      })),
    ];
    const after = state.modifiedAfter;
    const matching = after ? all.filter((o) => Date.parse(o.meta!.modified) >= Date.parse(after)) : all;
    const placeOf = (o: Ss12000Organisation) => (o.schoolUnitCode ? `1:${o.schoolUnitCode}` : '0');
    const rest = matching
      .sort((x, y) => (placeOf(x) < placeOf(y) ? -1 : 1))
      .filter((o) => position === undefined || placeOf(o) > position);
    const data = rest.slice(0, limit);
    const more = rest.length > limit;
    return {
      data,
      pageToken: more
        ? encodePageToken('organisations', { c: placeOf(data[data.length - 1]), m: after, n: state.names })
        : null,
    };
  }

  /**
   * Pupils deleted in portabel, from the changes feed. A record deleted and later written again is live,
   * so it is left out. Reads a bounded number of changes per request; an empty page with a pageToken means
   * "more to read".
   */
  async deletedEntities(kommunCode: string, q: Ss12000DeletedQueryDto): Promise<Ss12000DeletedEntities> {
    let cursor: string | undefined;
    let after = q.after ?? q['meta.modified.after'];
    if (q.after !== undefined && q['meta.modified.after'] !== undefined)
      throw badQuery(
        'SS12000.FILTER_TWICE',
        ['after', 'meta.modified.after'],
        'Give after or meta.modified.after, not both.',
      );
    let persons = q.entities === undefined || q.entities.includes('Person');
    if (q.pageToken !== undefined) {
      const given = ['after', 'meta.modified.after', 'entities'].filter(
        (k) => q[k as keyof Ss12000DeletedQueryDto] !== undefined,
      );
      if (given.length > 0) throw filtersWithToken(given);
      const state = decodePageToken('deletedEntities', q.pageToken);
      cursor = typeof state.c === 'string' ? state.c : undefined;
      after = tokenTime(state.a);
      persons = state.p !== false;
    }
    if (!persons) {
      await this.kommuner.assertExists(kommunCode);
      return { data: { persons: [] }, pageToken: null };
    }
    const limit = Math.min(q.limit ?? CHANGES_BATCH, CHANGES_BATCH);
    const deleted: string[] = [];
    let hasMore = true;
    for (let batch = 0; batch < MAX_CHANGE_BATCHES && hasMore && deleted.length < limit; batch++) {
      const from = cursor;
      let page = await this.changes(kommunCode, from, CHANGES_BATCH);
      const wanted = page.data.filter(
        (c) => c.type === 'deleted' && (after === undefined || Date.parse(c.changedAt) >= Date.parse(after)),
      );
      const room = limit - deleted.length;
      if (wanted.length > room) {
        // Read again up to the last deletion that fits, so the cursor stops right after it.
        page = await this.changes(kommunCode, from, page.data.indexOf(wanted[room - 1]) + 1);
        page.hasMore = true;
      }
      hasMore = page.hasMore;
      cursor = page.nextCursor;
      deleted.push(...wanted.slice(0, room).map((c) => c.recordId));
    }
    const stillDeleted = await this.stillDeleted(kommunCode, [...new Set(deleted)]);
    return {
      data: { persons: stillDeleted },
      pageToken: hasMore ? encodePageToken('deletedEntities', { c: cursor, a: after, p: persons }) : null,
    };
  }

  /** The names of the school units the kommun has registered (skolenhetskoder are unique nationally). */
  private async referenceNames(kommunCode: string): Promise<ReferenceNames> {
    const units = new Map((await this.kommuner.listSchoolUnits(kommunCode)).map((u) => [u.code, u.name]));
    return { schoolUnit: (_organiserCode, code) => units.get(code) };
  }

  private changes(kommunCode: string, cursor: string | undefined, limit: number) {
    return this.records.changes(kommunCode, { cursor, limit }).catch((err: unknown) => {
      throw asPageTokenError(err);
    });
  }

  private async stillDeleted(kommunCode: string, ids: string[]): Promise<string[]> {
    const live = await Promise.all(
      ids.map((id) =>
        this.records.get(kommunCode, id).then(
          () => true,
          (err: unknown) => {
            if (
              err instanceof DomainError &&
              (err.code === 'RECORD.DELETED' || err.code === 'RECORD.NOT_FOUND')
            )
              return false;
            throw err;
          },
        ),
      ),
    );
    return ids.filter((_, i) => !live[i]);
  }

  /** The position and filters of a list request: from its pageToken, or from its query on the first page. */
  private state(
    list: string,
    q: Ss12000ListQueryDto,
  ): { cursor?: string; modifiedAfter?: string; names: boolean } {
    if (q.pageToken === undefined) {
      return { modifiedAfter: q['meta.modified.after'], names: q.expandReferenceNames === 'true' };
    }
    const given = ['meta.modified.after', 'expandReferenceNames'].filter(
      (k) => q[k as keyof Ss12000ListQueryDto] !== undefined,
    );
    if (given.length > 0) throw filtersWithToken(given);
    const s = decodePageToken(list, q.pageToken);
    return {
      cursor: typeof s.c === 'string' ? s.c : undefined,
      modifiedAfter: tokenTime(s.m),
      names: s.n === true,
    };
  }
}

function toPerson(resource: RecordResource, names: ReferenceNames | undefined): Ss12000Person {
  const { person } = pupilToPersons(
    resource.record,
    { pupil: resource.id, guardian: (g) => guardianRefId(resource.id, g.id) },
    names,
  );
  const { id, ...rest } = person;
  return { id, meta: { created: resource.createdAt, modified: resource.updatedAt }, ...rest };
}

/**
 * A time a page token carries, as the first request gave it. Tokens are not signed: one made by hand
 * with a time that is no time is the token's fault (400), never a failed query.
 */
function tokenTime(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw pageTokenInvalid();
  return value;
}
