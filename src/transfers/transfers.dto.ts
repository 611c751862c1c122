import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INBOX_STATES, TRANSFER_STATES } from './transfer-states';

const KOMMUN = /^[0-9]{4}$/;
const SCHOOL_UNIT = /^[0-9]{8}$/;

export class CreateTransferDto {
  /** The pupil's learner record in the sending kommun. */
  @IsUUID()
  recordId!: string;

  /** The receiving kommun (kommunkod): must be a trusted peer. */
  @Matches(KOMMUN, { message: 'receiverKommun must be a four-digit kommun code' })
  receiverKommun!: string;

  /** The receiving school unit (skolenhetskod). */
  @IsOptional()
  @Matches(SCHOOL_UNIT, { message: 'receiverSchoolUnit must be an eight-digit skolenhetskod' })
  receiverSchoolUnit?: string;

  /** `push` (default): delivered to the receiver's inbox; `download`: a file handed over by other means. */
  @IsOptional()
  @IsIn(['push', 'download'])
  deliver: 'push' | 'download' = 'push';
}

export class CreateTransferQueryDto {
  /** Only show what would go (categories, legal basis, what is left out); seal nothing. */
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  dryRun: boolean = false;
}

export class CreateBatchDto {
  /** The pupils, by learner record id (a class)… */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  recordIds?: string[];

  /** …or every pupil currently enrolled at a school unit (a school closing), optionally one year of it. */
  @IsOptional()
  @Matches(SCHOOL_UNIT, { message: 'schoolUnit must be an eight-digit skolenhetskod' })
  schoolUnit?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(14)
  schoolYear?: number;

  @Matches(KOMMUN, { message: 'receiverKommun must be a four-digit kommun code' })
  receiverKommun!: string;

  @IsOptional()
  @Matches(SCHOOL_UNIT, { message: 'receiverSchoolUnit must be an eight-digit skolenhetskod' })
  receiverSchoolUnit?: string;

  @IsOptional()
  @IsIn(['push', 'download'])
  deliver: 'push' | 'download' = 'push';
}

/** A page of a list: where the last one ended, and how many to show. */
class PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 50;
}

export class ListTransfersQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(TRANSFER_STATES)
  state?: string;

  @IsOptional()
  @IsUUID()
  batch?: string;
}

export class ListInboxQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(INBOX_STATES)
  state?: string;
}

export class RejectDto {
  /** Why: the sending kommun reads it in the signed acknowledgement. */
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export class AcceptManyDto {
  /** The packages to accept (inbox ids), at most 1,000 a call. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids!: string[];
}
