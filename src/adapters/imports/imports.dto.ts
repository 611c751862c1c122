import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { STAGED_KINDS, type StagedKind } from './import-jobs.repository';

const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class StartImportQueryDto {
  /** The adapter, when no platform is named and the bytes should not be sniffed. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  format?: string;

  @IsOptional()
  @IsUUID()
  platform?: string;

  /** Report what would change, pupil by pupil, and write nothing. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  dryRun: boolean = false;

  /** `snapshot`: the file is the platform's complete set, and its pupils missing from it are deleted. */
  @IsOptional()
  @IsIn(['delta', 'snapshot'])
  mode: 'delta' | 'snapshot' = 'delta';

  /** Go ahead even when more than the threshold of the kommun's pupils would be deleted. */
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  confirmDeletions: boolean = false;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  fileName?: string;
}

export class ListQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class ItemsQueryDto {
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

  /** Only items of this kind: `rejected` lists the pupils that were refused, and why. */
  @IsOptional()
  @IsIn(STAGED_KINDS, { message: `kind must be one of: ${STAGED_KINDS.join(', ')}` })
  kind?: StagedKind;
}
