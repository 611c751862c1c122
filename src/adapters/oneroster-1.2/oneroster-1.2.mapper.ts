// The pure mapping functions of this adapter, both ways. Import: OneRoster entities of one pupil (from
// either binding) -> a learner record; export: a learner record -> OneRoster 1.2 rows.
export {
  buildPupilRecord,
  type PupilInput,
  type PupilOutcome,
  type RefTables,
} from './roster-to-record.mapper';
export { recordToRoster, type RecordRows } from './record-to-roster.mapper';
export { contactWithheldReason } from './protected-contact';
