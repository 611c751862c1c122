import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service';
import { StaleTempFiles } from './stale-temp-files';

@Global()
@Module({ providers: [JobQueue, StaleTempFiles], exports: [JobQueue] })
export class JobsModule {}
