import { Type } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class ListRecordsQueryDto {
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

  /** Pupils with a current enrolment at this school unit (skolenhetskod). */
  @IsOptional()
  @Matches(/^[0-9]{8}$/, { message: 'schoolUnit must be an eight-digit skolenhetskod' })
  schoolUnit?: string;

  /** Pupils with a current enrolment in this school year (0 = förskoleklass). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(14)
  schoolYear?: number;

  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'updatedSince must be an ISO 8601 date-time' })
  updatedSince?: string;

  /** Pupils whose name contains this (case-insensitive), or whose civic number it is. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ChangesQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}
