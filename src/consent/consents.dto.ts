import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { CATEGORIES, type Category } from './categories';
import { PURPOSES, type Purpose } from './purposes';

/** A grant or a withdrawal: the same shape, so withdrawing is exactly as easy as giving (GDPR Art. 7(3)). */
export class ConsentActDto {
  @IsIn(PURPOSES)
  purpose!: Purpose;

  @ArrayMinSize(1)
  @ArrayMaxSize(CATEGORIES.length)
  @ArrayUnique()
  @IsIn(CATEGORIES, { each: true })
  categories!: Category[];

  /** A named recipient (a platform's name, a kommun code, an organisation); absent: any recipient of the purpose. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  recipient?: string;

  /** Grants only: when the consent ends by itself (ISO 8601). */
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  /** The receipt's language. */
  @IsOptional()
  @IsIn(['sv', 'en'])
  language?: 'sv' | 'en';
}

/** A registrar recording a consent given on paper names the guardian (or pupil) who gave it. */
export class RecordedConsentActDto extends ConsentActDto {
  @IsIn(['grant', 'withdraw'])
  action!: 'grant' | 'withdraw';

  @Matches(/^[0-9]{12}$/, { message: 'givenBy must be the twelve-digit civic number of who gave it' })
  givenBy!: string;
}

export interface ConsentEventResource {
  id: string;
  recordId: string;
  purpose: Purpose;
  categories: Category[];
  recipient: string | null;
  action: 'grant' | 'withdraw';
  giverRole: 'guardian' | 'pupil';
  /** Whether the signed-in person gave it (the others are shown without whom). */
  givenByYou?: boolean;
  collectionMethod: 'web' | 'paper' | 'api';
  expiresAt: string | null;
  createdAt: string;
  /** The signed receipt (compact JWS, typ consent-receipt+jwt), verifiable against the kommun's JWKS. */
  receipt: string;
}

export interface ConsentStateResource {
  recordId: string;
  policyVersion: number;
  /** Who consents for this pupil now. */
  consentBy: 'pupil' | 'guardians';
  purposes: Array<{
    purpose: Purpose;
    name: { sv: string; en: string };
    categories: Array<{
      category: Category;
      name: { sv: string; en: string };
      /** How this category flows for the purpose without any consent: a basis, or only with consent, or never. */
      basis: 'consent' | 'legalObligation' | 'publicTask' | 'never';
      /** Consent in force now (for categories that need it). */
      consented: boolean;
    }>;
  }>;
}
