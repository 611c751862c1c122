import { Module } from '@nestjs/common';
import { ConsentCoreModule } from '../consent/consent-core.module';
import { KeysModule } from '../keys/keys.module';
import { KommunerModule } from '../kommuner/kommuner.module';
import { ExportFilesRepository } from './exports/export-files.repository';
import { ExportJobsService } from './exports/export-jobs.service';
import { ExportRecordSource } from './exports/export-record.source';
import { ExportsController } from './exports/exports.controller';
import { AdaptersController } from './adapters.controller';
import { ImportJobsRepository } from './imports/import-jobs.repository';
import { ImportJobsService } from './imports/import-jobs.service';
import { ImportRunner } from './imports/import-runner';
import { ImportsController } from './imports/imports.controller';
import { PlatformsController } from './platforms/platforms.controller';
import { PlatformsService } from './platforms/platforms.service';

/** The adapter registry, platform registrations, import and export jobs. */
@Module({
  imports: [KommunerModule, KeysModule, ConsentCoreModule],
  controllers: [AdaptersController, PlatformsController, ImportsController, ExportsController],
  providers: [
    PlatformsService,
    ImportJobsRepository,
    ImportJobsService,
    ImportRunner,
    ExportFilesRepository,
    ExportRecordSource,
    ExportJobsService,
  ],
  exports: [PlatformsService, ImportJobsService, ExportJobsService],
})
export class AdaptersModule {}
