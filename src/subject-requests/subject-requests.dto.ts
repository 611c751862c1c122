import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { type RequestKind, type RequestStatus } from './subject-requests.texts';

export class StartExportDto {
  @IsUUID()
  recordId!: string;

  /**
   * GDPR Art. 20(2): send the package straight to another kommun in the trust registry (its code)
   * instead of (as well as) downloading it.
   */
  @IsOptional()
  @Matches(/^[0-9]{4}$/, { message: 'deliverToKommun must be a four-digit kommun code' })
  deliverToKommun?: string;
}

export class StartRequestDto {
  @IsUUID()
  recordId!: string;

  @IsIn(['rectification', 'restriction', 'erasure'])
  kind!: Extract<RequestKind, 'rectification' | 'restriction' | 'erasure'>;

  /** What is wrong, or what should stop or go, in the person's own words (kept with the request). */
  @IsString()
  @Length(1, 4000)
  description!: string;
}

export class TransitionDto {
  @IsIn(['in_review', 'done', 'refused'])
  status!: Extract<RequestStatus, 'in_review' | 'done' | 'refused'>;

  /** Required to refuse: the reason the person will read (Art. 12(4)). */
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  reason?: string;
}

export interface RequestEventResource {
  status: RequestStatus;
  statusText: { sv: string; en: string };
  at: string;
  note: string | null;
}

export interface SubjectRequestResource {
  id: string;
  kommunCode: string;
  recordId: string;
  kind: RequestKind;
  kindText: { sv: string; en: string; article: string };
  /** For exports: the articles it answers (15 always; 20 where data is held on consent). */
  articles: string[];
  status: RequestStatus;
  statusText: { sv: string; en: string };
  receivedAt: string;
  /** GDPR Art. 12(3): one month from receipt. */
  deadline: string;
  daysLeft: number;
  overdue: boolean;
  description: string | null;
  resolution: { reason: string | null; decidedAt: string } | null;
  /** Exports: where to download the package while it lasts (the link is the key; do not share it). */
  download: { url: string; expiresAt: string; sha256: string; size: number } | null;
  deliverToKommun: string | null;
  /** GDPR Art. 20(2): the direct transmission to `deliverToKommun`, as the receiving kommun answered it. */
  transmission: {
    transferId: string;
    state: string;
    stateText: { sv: string; en: string };
    /** Why the receiving kommun turned it away, if it did. */
    reason: string | null;
  } | null;
  events: RequestEventResource[];
}
