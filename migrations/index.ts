import { CreateFoundation1767225600000 } from './1767225600000-CreateFoundation';
import { CreateKommunKeys1767312000000 } from './1767312000000-CreateKommunKeys';
import { CreatePlatformsAndImports1767398400000 } from './1767398400000-CreatePlatformsAndImports';
import { CreateAuditLog1767520800000 } from './1767520800000-CreateAuditLog';
import { CreateAccessControl1767571200000 } from './1767571200000-CreateAccessControl';
import { CreateConsentAndRequests1767657600000 } from './1767657600000-CreateConsentAndRequests';
import { CreateTrustRegistry1767744000000 } from './1767744000000-CreateTrustRegistry';
import { CreateTransfers1767830400000 } from './1767830400000-CreateTransfers';
import { AddExportDisclosure1767916800000 } from './1767916800000-AddExportDisclosure';
import { StagingLz41768003200000 } from './1768003200000-StagingLz4';
import { AddExportSections1768089600000 } from './1768089600000-AddExportSections';

/** Every migration, in order. Listed explicitly so that tests, the CLI and the build agree. */
export const MIGRATIONS = [
  CreateFoundation1767225600000,
  CreateKommunKeys1767312000000,
  CreatePlatformsAndImports1767398400000,
  CreateAuditLog1767520800000,
  CreateAccessControl1767571200000,
  CreateConsentAndRequests1767657600000,
  CreateTrustRegistry1767744000000,
  CreateTransfers1767830400000,
  AddExportDisclosure1767916800000,
  StagingLz41768003200000,
  AddExportSections1768089600000,
];
