import { Controller, Get } from '@nestjs/common';
import { ADAPTERS } from './registry';
import { Authorize } from '../auth/authorize.decorator';

export interface AdapterResource {
  name: string;
  version: string;
  title: string;
  import: { mediaTypes: string[]; sections: string[]; accumulates: readonly string[] } | null;
  export: { mediaTypes: string[]; sections: string[]; fileExtension: string | null } | null;
  optionsSchema: Record<string, unknown> | null;
}

/** What each adapter can do: what a registration or an import may name. */
@Controller('v1/adapters')
export class AdaptersController {
  @Get()
  @Authorize('adapters:read')
  list(): { data: AdapterResource[] } {
    return {
      data: ADAPTERS.map((a) => ({
        name: a.name,
        version: a.version,
        title: a.title,
        import: a.import
          ? { mediaTypes: a.mediaTypes.import, sections: a.reads, accumulates: a.accumulates ?? [] }
          : null,
        export: a.export
          ? {
              mediaTypes: a.mediaTypes.export,
              sections: a.writes,
              fileExtension: a.exportFormat?.extension ?? null,
            }
          : null,
        optionsSchema: a.optionsSchema ?? null,
      })),
    };
  }
}
