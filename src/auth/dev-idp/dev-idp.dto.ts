import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ROLES, type Role } from '../roles';

export class DevTokenDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sub?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @IsOptional()
  @Matches(/^[0-9]{4}$/, { message: 'kommun must be a four-digit kommun code' })
  kommun?: string;

  @IsArray()
  @ArrayMaxSize(8)
  @IsIn(ROLES.filter((r) => r !== 'platform' && r !== 'peer'), { each: true })
  roles!: Role[];

  @IsOptional()
  @Matches(/^[0-9]{12}$/, { message: 'civicNo must be twelve digits' })
  civicNo?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(/^[0-9]{8}$/, { each: true, message: 'schoolUnits must be eight-digit skolenhetskoder' })
  schoolUnits?: string[];
}
