import { IsObject, IsString, Length, Matches } from 'class-validator';
import { IsOmittable } from '../../common/validation/optional';

export class CreatePlatformDto {
  /** A name unique in the kommun, e.g. "vklass-grundskola". Becomes `source.platform` of imported records. */
  @Matches(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
    message: 'name must be 1–63 lower-case letters, digits, dots, dashes or underscores',
  })
  name!: string;

  @IsString()
  @Length(1, 200)
  vendor!: string;

  @IsString()
  @Length(1, 200)
  product!: string;

  @IsString()
  @Length(1, 100)
  adapter!: string;

  @IsOmittable()
  @IsObject()
  options?: Record<string, unknown>;
}

export class UpdatePlatformDto {
  @IsOmittable()
  @IsString()
  @Length(1, 200)
  vendor?: string;

  @IsOmittable()
  @IsString()
  @Length(1, 200)
  product?: string;

  @IsOmittable()
  @IsObject()
  options?: Record<string, unknown>;
}

export interface PlatformResource {
  id: string;
  kommunCode: string;
  name: string;
  vendor: string;
  product: string;
  adapter: string;
  options: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
