import { DomainError } from '../common/problem/domain-error';
import { PROBLEMS } from '../common/problem/problem-types';

export const kommunNotFound = (code: string): DomainError =>
  new DomainError(
    PROBLEMS.kommunNotFound,
    'KOMMUN.NOT_FOUND',
    `No kommun with code ${code} is registered here.`,
  );

export const kommunExists = (code: string): DomainError =>
  new DomainError(PROBLEMS.kommunExists, 'KOMMUN.EXISTS', `Kommun ${code} is already registered.`);

export const schoolUnitNotFound = (kommun: string, code: string): DomainError =>
  new DomainError(
    PROBLEMS.schoolUnitNotFound,
    'SCHOOL_UNIT.NOT_FOUND',
    `Kommun ${kommun} has no school unit with skolenhetskod ${code}.`,
  );
