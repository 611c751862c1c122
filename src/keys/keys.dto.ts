import { Param, PipeTransform } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';
import { ENCRYPTION_ALGS, ENCRYPTION_CURVES, KeyUse, SIGNING_ALGS } from './key-specs';
import { thumbprintOf } from './keys.mapper';

export class RotateKeyDto {
  @IsIn(['sig', 'enc'])
  use!: KeyUse;

  /** Signing: EdDSA (default), ES256, RS256. Encryption: ECDH-ES (default), ECDH-ES+A128KW, ECDH-ES+A256KW. */
  @IsOptional()
  @IsIn([...SIGNING_ALGS, ...ENCRYPTION_ALGS])
  alg?: string;

  /** Encryption keys only: X25519 (default) or P-256. */
  @IsOptional()
  @IsIn(ENCRYPTION_CURVES)
  crv?: string;

  /** How long the replaced key keeps verifying (or decrypting); 30 days unless said. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  gracePeriodDays?: number;
}

export class RevokeKeyDto {
  @IsString()
  @Length(1, 500)
  reason!: string;
}

const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;

/** A key named by its thumbprint, or by its whole kid URL (percent-encoded): either way, the thumbprint. */
class KidPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const thumbprint = thumbprintOf(value);
    if (!THUMBPRINT.test(thumbprint)) {
      const detail = 'kid must be a key thumbprint (43 base64url characters) or a kid URL ending in one.';
      throw new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [
        { parameter: 'kid', detail },
      ]);
    }
    return thumbprint;
  }
}

export const KeyId = (): ParameterDecorator => Param('kid', new KidPipe());
