import { Module } from '@nestjs/common';
import { KommunerModule } from '../kommuner/kommuner.module';
import { AdaptersController } from './adapters.controller';
import { ImportJobsRepository } from './imports/import-jobs.repository';
import { ImportJobsService } from './imports/import-jobs.service';
import { ImportRunner } from './imports/import-runner';
import { ImportsController } from './imports/imports.controller';
import { PlatformsController } from './platforms/platforms.controller';
import { PlatformsService } from './platforms/platforms.service';

/** The adapter registry, platform registrations and import jobs. */
@Module({
  imports: [KommunerModule],
  controllers: [AdaptersController, PlatformsController, ImportsController],
  providers: [PlatformsService, ImportJobsRepository, ImportJobsService, ImportRunner],
  exports: [PlatformsService],
})
export class AdaptersModule {}
