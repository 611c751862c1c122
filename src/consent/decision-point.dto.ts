import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PURPOSES, type Purpose } from './purposes';

export class DisclosurePreviewDto {
  @IsIn(PURPOSES)
  purpose!: Purpose;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  recipient?: string;
}
