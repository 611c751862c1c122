import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KommunEntity } from './kommun.entity';
import { KommunerController } from './kommuner.controller';
import { KommunerService } from './kommuner.service';

@Module({
  imports: [TypeOrmModule.forFeature([KommunEntity])],
  controllers: [KommunerController],
  providers: [KommunerService],
  exports: [KommunerService],
})
export class KommunerModule {}
