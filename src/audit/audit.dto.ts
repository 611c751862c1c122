import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OUTCOMES } from './audit-entry';

const ISO = { strict: true };
const ISO_MESSAGE = (name: string) => ({ message: `${name} must be an ISO 8601 date or date-time` });

/** A pupil and/or a period [from, to). */
export class AuditExportQueryDto {
  @IsOptional()
  @IsUUID(undefined, { message: 'recordId must be a UUID' })
  recordId?: string;

  @IsOptional()
  @IsISO8601(ISO, ISO_MESSAGE('from'))
  from?: string;

  @IsOptional()
  @IsISO8601(ISO, ISO_MESSAGE('to'))
  to?: string;
}

export class ListAuditEntriesQueryDto extends AuditExportQueryDto {
  @IsOptional()
  @Matches(/^[a-z][a-zA-Z0-9-]*(:[a-zA-Z0-9-]+)+$/, { message: 'action must look like area:verb' })
  @MaxLength(100)
  action?: string;

  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: (typeof OUTCOMES)[number];

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}

export class ListCheckpointsQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}

export const toDate = (value: string | undefined): Date | undefined => (value ? new Date(value) : undefined);

/** `?kommun=`: which kommun's chain (the access guard holds it to the caller's scope). */
export class VerifyOwnChainQueryDto {
  @IsOptional()
  @Matches(/^[0-9]{4}$/, { message: 'kommun must be a four-digit kommun code' })
  kommun?: string;
}
