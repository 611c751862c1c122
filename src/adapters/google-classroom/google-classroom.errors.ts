import { DomainError } from '../../common/problem/domain-error';
import type { ProblemType } from '../../common/problem/problem-types';

// The platform's API failing is not our bug (never a 500) and not the caller's request being wrong (not a 4xx):
// the gateway statuses say that the service upstream did not give what was asked.

/** The Classroom API refused the request or answered with something that is not a list response. */
export const PLATFORM_REQUEST_FAILED: ProblemType = {
  slug: 'platform-request-failed',
  status: 502,
  title: "The platform's API refused the request or gave an answer that cannot be read",
};

/** The Classroom API did not answer in time. */
export const PLATFORM_TIMEOUT: ProblemType = {
  slug: 'platform-timeout',
  status: 504,
  title: "The platform's API did not answer in time",
};

/** The Classroom API asked us to slow down (429) or is down for now (503): worth trying again later. */
export const PLATFORM_UNAVAILABLE: ProblemType = {
  slug: 'platform-unavailable',
  status: 503,
  title: "The platform's API is unavailable for now; try again later",
};

export class ClassroomApiError extends DomainError {
  constructor(problem: ProblemType, code: string, detail: string, headers?: Record<string, string>) {
    super(problem, `GOOGLE_CLASSROOM.${code}`, detail, undefined, headers);
  }
}
