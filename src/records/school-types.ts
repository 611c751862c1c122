import type { SchoolType } from './learner-record.types';

/**
 * SS 12000's school types (skolformer), the values of the record's `schoolType`. One list for every
 * module that checks or maps them; a test keeps it equal to the schema's enum.
 */
export const SCHOOL_TYPES: readonly SchoolType[] = [
  'FS',
  'FKLASS',
  'FTH',
  'OPPFTH',
  'GR',
  'GRS',
  'TR',
  'SP',
  'SAM',
  'GY',
  'GYS',
  'VUX',
  'VUXGR',
  'VUXGY',
  'VUXSARGR',
  'VUXSARGY',
  'SFI',
  'SARVUX',
  'SARVUXGR',
  'SARVUXGY',
  'KU',
  'YH',
  'FHS',
  'STF',
  'KKU',
  'HS',
  'ABU',
  'AU',
];
