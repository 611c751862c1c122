import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { SCHOOL_TYPES } from '../records/school-types';

export class CreateKommunDto {
  // 0000 is no kommun (SCB codes start with a län, 01–25): it names the installation's own audit chain.
  @Matches(/^(?!0000)[0-9]{4}$/, { message: 'code must be a four-digit kommun code (e.g. 1980), not 0000' })
  code!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class UpdateKommunDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;
}

export class PutSchoolUnitDto {
  @IsString()
  @Length(1, 200)
  name!: string;

  @IsArray()
  @ArrayMaxSize(SCHOOL_TYPES.length)
  @IsIn(SCHOOL_TYPES, { each: true, message: 'each schoolTypes entry must be an SS 12000 school type' })
  schoolTypes!: string[];
}

export interface KommunResource {
  code: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface SchoolUnitResource {
  kommunCode: string;
  code: string;
  name: string;
  schoolTypes: string[];
  createdAt: string;
  updatedAt: string;
}
