import { Injectable } from '@nestjs/common';
import { isUuid } from '../../common/http/uuid';
import { DomainError } from '../../common/problem/domain-error';
import { sql } from '../../database/sql';
import { TenantDb } from '../../database/tenant-db';
import { KommunerService } from '../../kommuner/kommuner.service';
import { checkAdapterOptions } from '../adapter-options';
import { ADAPTER_PROBLEMS, adapterNotFound, invalidOptions, platformNotFound } from '../adapters.errors';
import { findAdapter } from '../registry';
import { CreatePlatformDto, PlatformResource, UpdatePlatformDto } from './platforms.dto';

interface PlatformRow {
  id: string;
  kommunCode: string;
  name: string;
  vendor: string;
  product: string;
  adapter: string;
  options: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = sql`id, kommun_code AS "kommunCode", name, vendor, product, adapter, options, created_at AS "createdAt", updated_at AS "updatedAt"`;

const toResource = (r: PlatformRow): PlatformResource => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/**
 * Platform registrations: which adapter a platform speaks and with which options (field aliases,
 * grade-scale mapping, code lists), so a vendor's dialect of a standard is configuration.
 */
@Injectable()
export class PlatformsService {
  /** Told of each registration removed here, so what rests on it (its client's tokens) ends at once. */
  private readonly removedListeners = new Set<(kommunCode: string, id: string) => void>();

  constructor(
    private readonly db: TenantDb,
    private readonly kommuner: KommunerService,
  ) {}

  async create(kommunCode: string, dto: CreatePlatformDto): Promise<PlatformResource> {
    await this.kommuner.assertExists(kommunCode);
    const adapter = findAdapter(dto.adapter);
    if (!adapter) throw adapterNotFound(dto.adapter);
    const errors = checkAdapterOptions(adapter, dto.options ?? {});
    if (errors.length) throw invalidOptions(errors);
    const rows = await this.db.once<PlatformRow>(
      kommunCode,
      sql`INSERT INTO platforms (kommun_code, name, vendor, product, adapter, options)
          VALUES (${kommunCode}, ${dto.name}, ${dto.vendor}, ${dto.product}, ${dto.adapter}, ${JSON.stringify(dto.options ?? {})}::jsonb)
          ON CONFLICT (kommun_code, name) DO NOTHING RETURNING ${COLUMNS}`,
    );
    if (rows.length === 0) {
      throw new DomainError(
        ADAPTER_PROBLEMS.platformExists,
        'PLATFORM.EXISTS',
        `A platform named "${dto.name}" is already registered.`,
      );
    }
    return toResource(rows[0]);
  }

  async list(kommunCode: string): Promise<PlatformResource[]> {
    await this.kommuner.assertExists(kommunCode);
    const rows = await this.db.once<PlatformRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM platforms WHERE kommun_code = ${kommunCode} ORDER BY name`,
    );
    return rows.map(toResource);
  }

  async get(kommunCode: string, id: string): Promise<PlatformResource> {
    await this.kommuner.assertExists(kommunCode);
    if (!isUuid(id)) throw platformNotFound(id);
    const [row] = await this.db.once<PlatformRow>(
      kommunCode,
      sql`SELECT ${COLUMNS} FROM platforms WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    if (!row) throw platformNotFound(id);
    return toResource(row);
  }

  async update(kommunCode: string, id: string, dto: UpdatePlatformDto): Promise<PlatformResource> {
    const current = await this.get(kommunCode, id);
    if (dto.options !== undefined) {
      const errors = checkAdapterOptions(findAdapter(current.adapter)!, dto.options);
      if (errors.length) throw invalidOptions(errors);
    }
    const [row] = await this.db.once<PlatformRow>(
      kommunCode,
      sql`UPDATE platforms SET vendor = ${dto.vendor ?? current.vendor}, product = ${dto.product ?? current.product},
            options = ${JSON.stringify(dto.options ?? current.options)}::jsonb, updated_at = now()
          WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid RETURNING ${COLUMNS}`,
    );
    return toResource(row);
  }

  async remove(kommunCode: string, id: string): Promise<void> {
    await this.get(kommunCode, id);
    await this.db.once(
      kommunCode,
      sql`DELETE FROM platforms WHERE kommun_code = ${kommunCode} AND id = ${id}::uuid`,
    );
    for (const listener of this.removedListeners) listener(kommunCode, id);
  }

  onRemoved(listener: (kommunCode: string, id: string) => void): void {
    this.removedListeners.add(listener);
  }
}
