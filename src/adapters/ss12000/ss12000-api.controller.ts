import { Controller, Get, Headers, Param, PipeTransform, Query } from '@nestjs/common';
import { DomainError } from '../../common/problem/domain-error';
import { PROBLEMS } from '../../common/problem/problem-types';
import { Ss12000DeletedQueryDto, Ss12000ItemQueryDto, Ss12000ListQueryDto } from './ss12000-api.dto';
import { Ss12000ApiService } from './ss12000-api.service';

const invalid = (parameter: string, detail: string) =>
  new DomainError(PROBLEMS.validationFailed, 'REQUEST.INVALID', detail, [{ parameter, detail }]);

/**
 * The kommun whose data a request reads. Until access control lands it is the X-Kommun header; then the
 * caller's token will say it, and this goes.
 */
function kommunOf(header: string | undefined): string {
  if (header === undefined)
    throw invalid('X-Kommun', 'X-Kommun is required: the four-digit code of the kommun to read.');
  if (!/^[0-9]{4}$/.test(header))
    throw invalid('X-Kommun', 'X-Kommun must be a four-digit kommun code (e.g. 1980).');
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
  persons(@Kommun() kommun: string | undefined, @Query() query: Ss12000ListQueryDto) {
    return this.api.persons(kommunOf(kommun), query);
  }

  @Get('persons/:id')
  person(
    @Kommun() kommun: string | undefined,
    @Param('id', new PersonIdPipe()) id: string,
    @Query() query: Ss12000ItemQueryDto,
  ) {
    return this.api.person(kommunOf(kommun), id, query.expandReferenceNames === 'true');
  }

  @Get('organisations')
  organisations(@Kommun() kommun: string | undefined, @Query() query: Ss12000ListQueryDto) {
    return this.api.organisations(kommunOf(kommun), query);
  }

  @Get('deletedEntities')
  deletedEntities(@Kommun() kommun: string | undefined, @Query() query: Ss12000DeletedQueryDto) {
    return this.api.deletedEntities(kommunOf(kommun), query);
  }
}
