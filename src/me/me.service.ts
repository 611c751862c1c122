import { Injectable } from '@nestjs/common';
import type { AccessContext } from '../auth/access.guard';
import { recordScopeOf } from '../auth/access-context.decorators';
import { RecordsService } from '../records/records.service';

/** A child of a guardian (or a pupil themselves), as a screen lists them. */
export interface ChildSummary {
  recordId: string;
  givenName: string;
  familyName: string;
  /** Current enrolments' school units and years (ended or cancelled ones left out). */
  enrolments: { schoolUnitCode: string; schoolYear?: number }[];
}

export interface MeResource {
  kind: 'person' | 'platform' | 'peer';
  subject: string;
  name: string | null;
  kommunCode: string | null;
  roles: string[];
  schoolUnits: string[] | null;
  /** A guardian's children in custody, or the pupil themselves; empty for staff. */
  children: ChildSummary[];
}

const MAX_CHILDREN = 50;

/** Who the caller is, in one call: what the first screen after sign-in shows. */
@Injectable()
export class MeService {
  constructor(private readonly records: RecordsService) {}

  async me(access: AccessContext): Promise<MeResource> {
    const { principal } = access;
    const children =
      access.scope === 'ownChildren' && principal.kommunCode
        ? await this.children(principal.kommunCode, access)
        : [];
    return {
      kind: principal.kind,
      subject: principal.subject,
      name: principal.name ?? null,
      kommunCode: principal.kommunCode ?? null,
      roles: principal.roles,
      schoolUnits: principal.schoolUnits ?? null,
      children,
    };
  }

  private async children(kommunCode: string, access: AccessContext): Promise<ChildSummary[]> {
    const today = new Date().toISOString().slice(0, 10);
    const { data } = await this.records.list(kommunCode, { limit: MAX_CHILDREN }, recordScopeOf(access));
    return data.map(({ id, record }) => ({
      recordId: id,
      givenName: record.pupil.givenName,
      familyName: record.pupil.familyName,
      enrolments: (record.enrolments ?? [])
        .filter((e) => !e.cancelled && (!e.endDate || e.endDate >= today))
        .map((e) => ({
          schoolUnitCode: e.schoolUnitCode,
          ...(typeof e.schoolYear === 'number' ? { schoolYear: e.schoolYear } : {}),
        })),
    }));
  }
}
