import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { clrAdapter } from '../adapters/clr-2.0/clr-2.0.adapter';
import type { LossEntry } from '../adapters/vendor-adapter.port';
import type { AccessContext } from '../auth/access.guard';
import { recordScopeOf } from '../auth/access-context.decorators';
import { AuditService } from '../audit/audit.service';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { ConsentPoliciesService } from '../consent/consent-policies.service';
import { ConsentsService } from '../consent/consents.service';
import { DecisionPointService } from '../consent/decision-point.service';
import { minimise } from '../consent/minimise';
import { JobQueue } from '../jobs/job-queue.service';
import { KeysService } from '../keys/keys.service';
import { KommunerService } from '../kommuner/kommuner.service';
import type { LearnerRecord } from '../records/learner-record.types';
import { RecordsService } from '../records/records.service';
import type { TransferResource } from '../transfers/sending/transfer.mapper';
import { TransfersService } from '../transfers/sending/transfers.service';
import { manifestOf, sha256Hex, zip, type PackageFile } from './export-package';
import { summaryHtml, type Disclosure } from './summary-html';
import {
  SubjectRequestResource,
  StartExportDto,
  StartRequestDto,
  TransitionDto,
} from './subject-requests.dto';
import {
  packageGone,
  reasonRequired,
  requestNotFound,
  transitionNotAllowed,
} from './subject-requests.errors';
import { EventRow, RequestRow, SubjectRequestsRepository } from './subject-requests.repository';
import { deadlineOf, KIND_TEXTS, STATUS_TEXTS, TRANSITIONS } from './subject-requests.texts';
import { RetentionPurge } from './retention-purge';
import { actorOfAccess } from '../auth/access-audit';

export const EXPORT_QUEUE = 'subject-exports';
export const MANIFEST_TYP = 'export-manifest+jws';
const DAY_MS = 86_400_000;
const TOKEN = /^([0-9]{4})\.([A-Za-z0-9_-]{43})$/;

/**
 * Data-subject rights (GDPR Art. 15–20): a pupil's or guardian's export, built in the background
 * into a signed package (the record as JSON and as a signed CLR credential, a summary in Swedish and
 * English, the consent history and the disclosure register, a manifest with each file's SHA-256,
 * signed by the kommun), downloaded through an expiring link; and requests for rectification,
 * restriction and erasure, with their workflow and the one-month deadline (Art. 12(3)).
 */
@Injectable()
export class SubjectRequestsService implements OnModuleInit {
  private readonly baseUrl: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: SubjectRequestsRepository,
    private readonly records: RecordsService,
    private readonly decisions: DecisionPointService,
    private readonly consents: ConsentsService,
    private readonly policies: ConsentPoliciesService,
    private readonly keys: KeysService,
    private readonly kommuner: KommunerService,
    private readonly audit: AuditService,
    private readonly queue: JobQueue,
    private readonly purge: RetentionPurge,
    private readonly transfers: TransfersService,
  ) {
    this.baseUrl = config.PUBLIC_BASE_URL;
  }

  onModuleInit(): void {
    this.queue.register<{ kommunCode: string; requestId: string }>(
      EXPORT_QUEUE,
      (d) => this.build(d.kommunCode, d.requestId),
      {
        heartbeatSeconds: 60,
      },
    );
  }

  /** A pupil's or guardian's export (Art. 15, and Art. 20 for what is held on consent). */
  async startExport(access: AccessContext, dto: StartExportDto): Promise<SubjectRequestResource> {
    const kommunCode = access.kommunCode!;
    await this.records.get(kommunCode, dto.recordId, recordScopeOf(access)); // yours, or 404
    // GDPR Art. 20(2): straight to another kommun, only one this kommun trusts (422 otherwise).
    if (dto.deliverToKommun) await this.transfers.assertSendable(kommunCode, dto.deliverToKommun);
    const received = new Date();
    const row = await this.repository.insert(kommunCode, {
      recordId: dto.recordId,
      kind: 'access',
      requesterRole: access.role,
      requesterSubject: access.principal.subject,
      requesterCivicNo: access.principal.civicNo ?? null,
      details: dto.deliverToKommun ? { deliverToKommun: dto.deliverToKommun } : {},
      receivedAt: received,
      deadlineAt: deadlineOf(received),
    });
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: 'requests:access',
      outcome: 'allowed',
      pupilRecordIds: [dto.recordId],
      detail: { requestId: row.id },
    });
    await this.queue.send(EXPORT_QUEUE, { kommunCode, requestId: row.id }, row.id);
    // The direct transmission is a transfer with purpose portability: the same sealed package,
    // outbox, receiver's inbox and signed acknowledgement as a school change (src/transfers).
    const transmission = dto.deliverToKommun
      ? await this.transfers.start(
          kommunCode,
          {
            recordId: dto.recordId,
            purpose: 'portability',
            receiverKommun: dto.deliverToKommun,
            receiverSchoolUnit: null,
            deliver: 'push',
            subjectRequestId: row.id,
          },
          actorOfAccess(access),
        )
      : undefined;
    return this.resource(row, [], transmission);
  }

  /** Rectification, restriction or erasure: recorded, then decided by the DPO. */
  async startRequest(access: AccessContext, dto: StartRequestDto): Promise<SubjectRequestResource> {
    const kommunCode = access.kommunCode!;
    await this.records.get(kommunCode, dto.recordId, recordScopeOf(access));
    const received = new Date();
    const row = await this.repository.insert(kommunCode, {
      recordId: dto.recordId,
      kind: dto.kind,
      requesterRole: access.role,
      requesterSubject: access.principal.subject,
      requesterCivicNo: access.principal.civicNo ?? null,
      details: { description: dto.description },
      receivedAt: received,
      deadlineAt: deadlineOf(received),
    });
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: `requests:${dto.kind}`,
      outcome: 'allowed',
      pupilRecordIds: [dto.recordId],
      detail: { requestId: row.id },
    });
    return this.resource(row, (await this.events(kommunCode, [row.id])).get(row.id) ?? []);
  }

  /** The requests the signed-in person made. */
  async mine(access: AccessContext): Promise<SubjectRequestResource[]> {
    const kommunCode = access.kommunCode!;
    const rows = await this.repository.list(kommunCode, {
      requesterCivicNo: access.principal.civicNo,
      limit: 200,
    });
    return this.resources(kommunCode, rows);
  }

  async mineOne(access: AccessContext, id: string): Promise<SubjectRequestResource> {
    const row = await this.repository.get(access.kommunCode!, id);
    if (!row || row.requesterCivicNo !== access.principal.civicNo) throw requestNotFound(id);
    return (await this.resources(access.kommunCode!, [row]))[0];
  }

  /** The DPO's view: open requests first by deadline, or all, newest first. */
  async list(kommunCode: string, open: boolean): Promise<SubjectRequestResource[]> {
    await this.kommuner.assertExists(kommunCode);
    return this.resources(kommunCode, await this.repository.list(kommunCode, { open, limit: 500 }));
  }

  async get(kommunCode: string, id: string): Promise<SubjectRequestResource> {
    const row = await this.repository.get(kommunCode, id);
    if (!row) throw requestNotFound(id);
    return (await this.resources(kommunCode, [row]))[0];
  }

  /** The DPO moves a request on: in review, done (carried out) or refused (with the reason). */
  async transition(
    kommunCode: string,
    id: string,
    dto: TransitionDto,
    access: AccessContext,
  ): Promise<SubjectRequestResource> {
    const row = await this.repository.get(kommunCode, id);
    if (!row) throw requestNotFound(id);
    if (!TRANSITIONS[row.status].includes(dto.status)) throw transitionNotAllowed(row.status, dto.status);
    if (dto.status === 'refused' && !dto.reason) throw reasonRequired();
    const done = dto.status === 'done' || dto.status === 'refused';
    if (dto.status === 'done') await this.carryOut(kommunCode, row, access);
    const moved = await this.repository.move(kommunCode, id, [row.status], dto.status, access.role, {
      note: dto.reason ?? null,
      resolution: done
        ? { reason: dto.reason ?? null, decidedAt: new Date().toISOString(), by: access.principal.subject }
        : undefined,
      completed: done,
    });
    if (!moved) throw transitionNotAllowed(row.status, dto.status);
    await this.audit.record({
      kommunCode,
      actor: actorOfAccess(access),
      action: `requests:${dto.status === 'in_review' ? 'review' : dto.status === 'done' ? 'carry-out' : 'refuse'}`,
      outcome: 'succeeded',
      pupilRecordIds: [row.recordId],
      detail: { requestId: id, kind: row.kind },
    });
    return this.get(kommunCode, id);
  }

  /** The package behind a download link, while the link lasts; each download is a disclosure, audited. */
  async download(token: string): Promise<{ bytes: Buffer; fileName: string; sha256: string }> {
    const m = TOKEN.exec(token);
    if (!m) throw packageGone();
    const kommunCode = m[1];
    if (!(await this.kommuner.exists(kommunCode))) throw packageGone(); // not a kommun: nothing to open
    const row = await this.repository.byToken(kommunCode, hashToken(token));
    if (!row) throw packageGone();
    const bytes = await this.repository.packageBytes(kommunCode, row.id);
    await this.audit.record({
      kommunCode,
      actor: { kind: 'person', subject: row.requesterSubject, role: row.requesterRole },
      action: 'disclosure:portability',
      outcome: 'allowed',
      pupilRecordIds: [row.recordId],
      purpose: 'portability',
      recipient: 'data-subject',
      detail: { requestId: row.id, sha256: row.packageSha256, via: 'download' },
    });
    return { bytes, fileName: `portabel-export-${row.id}.zip`, sha256: row.packageSha256! };
  }

  /** The background job: builds, signs and stores the package; safe to run again after a crash. */
  async build(kommunCode: string, requestId: string): Promise<void> {
    const row = await this.repository.get(kommunCode, requestId);
    if (!row || !['received', 'building', 'failed'].includes(row.status)) return;
    if (row.status !== 'building')
      await this.repository.move(kommunCode, requestId, [row.status], 'building', 'system');
    const { record } = (await this.records.get(kommunCode, row.recordId)).parsed();
    const recipient = row.details.deliverToKommun ?? 'data-subject';
    const release = (
      await this.decisions.release(kommunCode, [{ id: row.recordId, record }], 'portability', recipient, {
        actor: { kind: 'system', subject: 'subject-export', role: null },
        onBehalfOf: row.requesterSubject,
      })
    ).get(row.recordId)!;
    // The data subject's own export holds all there is (portability allows every category by default);
    // a kommun that withholds something says so in the loss report inside the package.
    const released = release.released ? release.record : minimise(record, release.decision).record;
    const bases = new Set(release.decision.allowed.map((a) => a.basis));
    // Art. 20(3): portability only for what rests on consent (or contract); access (Art. 15) always.
    const articles = ['GDPR Art. 15', ...(bases.has('consent') ? ['GDPR Art. 20'] : [])];
    const createdAt = new Date();
    const kommun = await this.kommuner.get(kommunCode);
    const consents = await this.consents.history(kommunCode, row.recordId);
    const disclosures = await this.disclosures(kommunCode, row.recordId);
    const meta = { schemaVersion: '1.0' as const, createdAt: createdAt.toISOString(), generator: 'portabel' };
    const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');
    const files: PackageFile[] = [
      {
        name: 'record.json',
        mediaType: 'application/json',
        bytes: json({ meta, recordId: row.recordId, record: released }),
      },
      {
        name: 'record.clr.jwt',
        mediaType: 'application/vc+jwt',
        bytes: await this.credential(kommunCode, released),
      },
      {
        name: 'summary.html',
        mediaType: 'text/html',
        bytes: Buffer.from(
          summaryHtml({
            kommunName: kommun.name,
            createdAt: meta.createdAt,
            record: released,
            consents,
            disclosures,
            articles,
          }),
          'utf8',
        ),
      },
      { name: 'consents.json', mediaType: 'application/json', bytes: json({ meta, consents }) },
      { name: 'disclosures.json', mediaType: 'application/json', bytes: json({ meta, disclosures }) },
      { name: 'loss-report.json', mediaType: 'application/json', bytes: json({ meta, loss: release.loss }) },
    ];
    const policy = await this.policies.inForce(kommunCode);
    const manifest = manifestOf(files, {
      meta,
      requestId,
      kommunCode,
      recordId: row.recordId,
      articles,
      policyVersion: policy.version,
    });
    const manifestBytes = json(manifest);
    const signature = await this.keys.signJws(kommunCode, manifestBytes, {
      typ: MANIFEST_TYP,
      cty: 'application/json',
    });
    const bytes = await zip(
      [
        { name: 'manifest.json', mediaType: 'application/json', bytes: manifestBytes },
        { name: 'manifest.jws', mediaType: 'application/jose', bytes: Buffer.from(signature, 'ascii') },
        ...files,
      ],
      createdAt,
    );
    const sha256 = sha256Hex(bytes);
    await this.repository.storePackage(kommunCode, requestId, {
      bytes,
      sha256,
      expiresAt: new Date(createdAt.getTime() + policy.document.exportPackageDays * DAY_MS),
      tokenHash: hashToken(this.downloadToken(kommunCode, requestId, sha256)),
      articles,
    });
  }

  /**
   * The download link's key: a MAC of the request and its package under a key derived from the master
   * key, so any instance can show it to the requester and only its hash is stored.
   */
  private downloadToken(kommunCode: string, requestId: string, sha256: string): string {
    return `${kommunCode}.${this.keys.mac('subject-export-links v1', `${kommunCode}/${requestId}/${sha256}`)}`;
  }

  private async credential(kommunCode: string, record: LearnerRecord): Promise<Buffer> {
    const loss: LossEntry[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of clrAdapter.export!(oneOf(record), {
      kommunCode,
      platformId: 'portabel',
      options: {},
      now: new Date(),
      loss: (e) => loss.push(e),
      signer: this.keys.signer(kommunCode),
    })) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    }
    return Buffer.concat(chunks);
  }

  /**
   * The disclosure register: who received the pupil's data, when, what and on which basis (from the
   * audit log). Callers check first that the reader may see the pupil (the web pages: the record in scope).
   */
  async disclosures(kommunCode: string, recordId: string): Promise<Disclosure[]> {
    const out: Disclosure[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.audit.list(kommunCode, { recordId, outcome: 'allowed', cursor, limit: 500 });
      for (const e of page.data) {
        if (!e.action.startsWith('disclosure:')) continue;
        out.push({
          at: e.occurredAt,
          recipient: e.recipient,
          purpose: e.purpose,
          categories: e.sections,
          basis: e.legalBasis ?? {},
        });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  private async carryOut(kommunCode: string, row: RequestRow, access: AccessContext): Promise<void> {
    if (row.kind === 'restriction') await this.consents.restrict(kommunCode, row.recordId, row.id);
    if (row.kind === 'erasure') await this.purge.erase(kommunCode, row.recordId, actorOfAccess(access));
  }

  private async events(kommunCode: string, ids: string[]): Promise<Map<string, EventRow[]>> {
    const byId = new Map<string, EventRow[]>();
    for (const e of await this.repository.events(kommunCode, ids)) {
      if (!byId.has(e.requestId)) byId.set(e.requestId, []);
      byId.get(e.requestId)!.push(e);
    }
    return byId;
  }

  private async resources(kommunCode: string, rows: RequestRow[]): Promise<SubjectRequestResource[]> {
    const events = rows.length
      ? await this.events(
          kommunCode,
          rows.map((r) => r.id),
        )
      : new Map<string, EventRow[]>();
    const transmissions = await this.transfers.forSubjectRequests(
      kommunCode,
      rows.filter((r) => r.details.deliverToKommun).map((r) => r.id),
    );
    return rows.map((r) => this.resource(r, events.get(r.id) ?? [], transmissions.get(r.id)));
  }

  private resource(
    r: RequestRow,
    events: EventRow[],
    transmission?: TransferResource,
  ): SubjectRequestResource {
    const now = Date.now();
    const live = r.packageExpiresAt !== null && r.packageExpiresAt.getTime() > now && r.status === 'ready';
    return {
      id: r.id,
      kommunCode: r.kommunCode,
      recordId: r.recordId,
      kind: r.kind,
      kindText: KIND_TEXTS[r.kind],
      articles: r.details.articles ?? [KIND_TEXTS[r.kind].article],
      status: r.status,
      statusText: STATUS_TEXTS[r.status],
      receivedAt: r.receivedAt.toISOString(),
      deadline: r.deadlineAt.toISOString(),
      daysLeft: Math.ceil((r.deadlineAt.getTime() - now) / DAY_MS),
      overdue: r.completedAt === null && r.deadlineAt.getTime() < now,
      description: r.details.description ?? null,
      resolution: r.resolution ? { reason: r.resolution.reason, decidedAt: r.resolution.decidedAt } : null,
      download: live
        ? {
            url: `${this.baseUrl}/v1/packages/${this.downloadToken(r.kommunCode, r.id, r.packageSha256!)}`,
            expiresAt: r.packageExpiresAt!.toISOString(),
            sha256: r.packageSha256!,
            size: Number(r.packageSize),
          }
        : null,
      deliverToKommun: r.details.deliverToKommun ?? null,
      transmission: transmission
        ? {
            transferId: transmission.id,
            state: transmission.state,
            stateText: transmission.stateText,
            reason: transmission.acknowledgement?.reason ?? null,
          }
        : null,
      events: events.map((e) => ({
        status: e.status,
        statusText: STATUS_TEXTS[e.status],
        at: e.at.toISOString(),
        note: e.note,
      })),
    };
  }
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

async function* oneOf<T>(item: T): AsyncIterable<T> {
  yield await Promise.resolve(item);
}
