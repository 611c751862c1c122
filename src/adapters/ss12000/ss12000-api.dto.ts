import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, MaxLength, Min } from 'class-validator';

const ISO = { message: 'must be an RFC 3339 date-time, e.g. 2026-01-15T10:30:00+01:00' };

/** Query of the SS 12000 list endpoints, named as in the SS 12000 API. */
export class Ss12000ListQueryDto {
  /** Entities per page; the server may answer fewer (and then a pageToken). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  pageToken?: string;

  /** Only entities modified on or after this time. */
  @IsOptional()
  @IsISO8601({ strict: true }, ISO)
  'meta.modified.after'?: string;

  /** SS 12000: references carry their displayName only when asked. */
  @IsOptional()
  @IsIn(['true', 'false'])
  expandReferenceNames?: 'true' | 'false';
}

export class Ss12000ItemQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'])
  expandReferenceNames?: 'true' | 'false';
}

const ENTITY_TYPES = [
  'Person',
  'Organisation',
  'Group',
  'Activity',
  'Duty',
  'Placement',
  'Grade',
  'AggregatedAttendance',
];

export class Ss12000DeletedQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  pageToken?: string;

  /** Only entities deleted on or after this time (SS 12000 `after`). */
  @IsOptional()
  @IsISO8601({ strict: true }, ISO)
  after?: string;

  /** The same as `after`, under the name the other lists use. */
  @IsOptional()
  @IsISO8601({ strict: true }, ISO)
  'meta.modified.after'?: string;

  /** Entity types asked for; portabel deletes only persons (pupils), so the others are always empty. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    (Array.isArray(value) ? value : String(value).split(',')).map((v) => String(v).trim()),
  )
  @IsIn(ENTITY_TYPES, { each: true, message: `entities must be among ${ENTITY_TYPES.join(', ')}` })
  entities?: string[];
}
