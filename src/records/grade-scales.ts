import type { GradeScale } from './learner-record.types';

/** The values each grading scale allows; "-" (streck) is where the basis for a grade was missing. */
export const SCALE_VALUES: Readonly<Record<GradeScale, readonly string[]>> = {
  'A-F': ['A', 'B', 'C', 'D', 'E', 'F', '-'],
  'IG-MVG': ['IG', 'G', 'VG', 'MVG', '-'],
  'G-VG': ['G', 'VG', '-'],
  'Godkänd/Ej godkänd': ['G', 'EG', 'Godkänd', 'Ej godkänd', '-'],
  '1-5': ['1', '2', '3', '4', '5', '-'],
};

export const GRADE_SCALES = Object.keys(SCALE_VALUES) as GradeScale[];
