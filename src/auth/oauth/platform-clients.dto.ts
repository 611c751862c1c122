import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import { PLATFORM_SCOPES } from '../platform-scopes';

export class PutPlatformClientDto {
  /** The platform's public keys (RFC 7517 JWKS), for its client assertions. Either this or jwksUri. */
  @IsOptional()
  @IsObject()
  jwks?: { keys: Record<string, unknown>[] };

  @IsOptional()
  @Matches(/^https:\/\/[^\s]+$|^http:\/\/(127\.0\.0\.1|localhost)[:/][^\s]*$/, {
    message: 'jwksUri must be an https URL',
  })
  jwksUri?: string;

  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(64)
  @IsIn(PLATFORM_SCOPES as string[], { each: true })
  scopes!: string[];
}

export interface PlatformClientResource {
  clientId: string;
  platformId: string;
  platformName: string;
  kommunCode: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  scopes: string[];
  /** Where the platform asks for access tokens, and the audience its client assertions name. */
  tokenEndpoint: string;
  createdAt: string;
  updatedAt: string;
}
