import { Param, PipeTransform } from '@nestjs/common';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { invalidParameter } from '../common/http/path-params';

const HTTP_URL = /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/;
const HTTP_URL_MESSAGE = 'must be an http(s) URL without query or fragment';

export class PutPeerDto {
  @IsString()
  @Length(1, 200)
  name!: string;

  /** Where the peer's portabel is reached: its PUBLIC_BASE_URL. */
  @Matches(HTTP_URL, { message: `baseUrl ${HTTP_URL_MESSAGE}` })
  @MaxLength(2000)
  baseUrl!: string;

  /** The peer's public keys, inline (a JWK Set). */
  @IsOptional()
  @IsObject()
  jwks?: Record<string, unknown>;

  /** Where to fetch the peer's JWK Set; by default its per-kommun JWKS under baseUrl. */
  @IsOptional()
  @Matches(HTTP_URL, { message: `jwksUri ${HTTP_URL_MESSAGE}` })
  @MaxLength(2000)
  jwksUri?: string;

  /** The peer's school units (skolenhetskoder) a registrar may address; informative. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @Matches(/^[0-9]{8}$/, { each: true, message: 'each of schoolUnits must be an eight-digit skolenhetskod' })
  schoolUnits?: string[];
}

export class RevokePeerKeyDto {
  @IsString()
  @Length(1, 500)
  kid!: string;

  @IsString()
  @Length(1, 500)
  reason!: string;
}

export class ApplyTrustListDto {
  /** The operator's compact JWS (typ trust-list+jws). */
  @IsString()
  @Length(1, 4 * 1024 * 1024)
  jws!: string;
}

class PeerCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9]{4}$/.test(value)) throw invalidParameter('peerCode', 'a four-digit kommun code');
    return value;
  }
}

export const PeerCode = (): ParameterDecorator => Param('peerCode', new PeerCodePipe());
