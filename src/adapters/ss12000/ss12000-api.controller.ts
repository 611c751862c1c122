import { Controller, Get, Headers, Param, PipeTransform, Query } from '@nestjs/common';
import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';
import { Ss12000DeletedQueryDto, Ss12000ItemQueryDto, Ss12000ListQueryDto } from './ss12000-api.dto';
import { Ss12000ApiService } from './ss12000-api.service';
import type { AccessContext } from '../../auth/access.guard';
import { Access, ActingKommun, RecordAccess } from '../../auth/access-context.decorators';
import { forbidden } from '../../auth/auth.errors';
import { Authorize } from '../../auth/authorize.decorator';
import type { RecordScope } from '../../records/record-scope';

const invalid = (parameter: string, detail: string) =>
  new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [{ parameter, detail }]);

/**
 * The kommun whose data a request reads is the caller's (from the token). SS 12000 clients that send
 * the X-Kommun header out of habit may: it must then name that same kommun.
 */
function kommunOf(acting: string, header: string | undefined): string {
  if (header === undefined) return acting;
  if (!/^[0-9]{4}$/.test(header))
    throw invalid('X-Kommun', 'X-Kommun must be a four-digit kommun code (e.g. 1980).');
  if (header !== acting) throw forbidden();
  return header;
}

class PersonIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
      throw invalid('id', 'id must be a UUID (the person ids this API hands out).');
    return value;
  }
}

const Kommun = (): ParameterDecorator => Headers('x-kommun');

/** A read-only SS 12000 (v2.1) API, so platforms that speak SS 12000 can pull from portabel as they are. */
@Controller('ss12000/v2')
export class Ss12000ApiController {
  constructor(private readonly api: Ss12000ApiService) {}

  @Get('persons')
  @Authorize('records:read')
  persons(
    @ActingKommun() acting: string,
    @Kommun() kommun: string | undefined,
    @Query() query: Ss12000ListQueryDto,
    @RecordAccess() scope: RecordScope,
    @Access() access: AccessContext,
  ) {
    return this.api.persons(kommunOf(acting, kommun), query, scope, access);
  }

  @Get('persons/:id')
  @Authorize('records:read')
  person(
    @ActingKommun() acting: string,
    @Kommun() kommun: string | undefined,
    @Param('id', new PersonIdPipe()) id: string,
    @Query() query: Ss12000ItemQueryDto,
    @RecordAccess() scope: RecordScope,
    @Access() access: AccessContext,
  ) {
    return this.api.person(
      kommunOf(acting, kommun),
      id,
      query.expandReferenceNames === 'true',
      scope,
      access,
    );
  }

  @Get('organisations')
  @Authorize('schoolUnits:read')
  organisations(
    @ActingKommun() acting: string,
    @Kommun() kommun: string | undefined,
    @Query() query: Ss12000ListQueryDto,
  ) {
    return this.api.organisations(kommunOf(acting, kommun), query);
  }

  @Get('deletedEntities')
  @Authorize('changes:read')
  deletedEntities(
    @ActingKommun() acting: string,
    @Kommun() kommun: string | undefined,
    @Query() query: Ss12000DeletedQueryDto,
  ) {
    return this.api.deletedEntities(kommunOf(acting, kommun), query);
  }
}
