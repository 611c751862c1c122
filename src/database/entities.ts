import { KommunEntity } from '../kommuner/kommun.entity';
import { SchoolUnitEntity } from '../kommuner/school-unit.entity';
import { LearnerRecordEntity } from '../records/learner-record.entity';
import { RecordChangeEntity } from '../records/record-change.entity';

/** Every entity, listed explicitly (no globbing) so that the app, the CLI and the tests agree. */
export const ENTITIES = [KommunEntity, SchoolUnitEntity, LearnerRecordEntity, RecordChangeEntity];
