import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError } from '../common/problem/domain-error';
import { sql } from '../database/sql';
import { TenantDb } from '../database/tenant-db';
import { CreateKommunDto, KommunResource, PutSchoolUnitDto, SchoolUnitResource } from './kommuner.dto';
import { kommunExists, kommunNotFound, schoolUnitNotFound } from './kommuner.errors';
import { KommunEntity } from './kommun.entity';

const toKommun = (k: KommunEntity): KommunResource => ({
  code: k.code,
  name: k.name,
  createdAt: k.createdAt.toISOString(),
  updatedAt: k.updatedAt.toISOString(),
});

interface SchoolUnitRow {
  kommunCode: string;
  code: string;
  name: string;
  schoolTypes: string[];
  createdAt: Date;
  updatedAt: Date;
}

const UNIT_COLUMNS = sql`kommun_code AS "kommunCode", code, name, school_types AS "schoolTypes", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

const toSchoolUnit = (u: SchoolUnitRow): SchoolUnitResource => ({
  kommunCode: u.kommunCode,
  code: u.code,
  name: u.name,
  schoolTypes: u.schoolTypes,
  createdAt: u.createdAt.toISOString(),
  updatedAt: u.updatedAt.toISOString(),
});

/** Tenants (kommuner) and their school units. Everything else hangs off a kommun. */
@Injectable()
export class KommunerService {
  constructor(
    @InjectRepository(KommunEntity) private readonly kommuner: Repository<KommunEntity>,
    private readonly db: TenantDb,
  ) {}

  /**
   * Kommuner known to exist. Kommuner are never removed, so a positive answer never goes stale, and
   * the check that starts every tenant-scoped request costs no round trip after the first.
   */
  private readonly known = new Set<string>();

  async create(dto: CreateKommunDto): Promise<KommunResource> {
    const inserted = await this.kommuner
      .createQueryBuilder()
      .insert()
      .values({ code: dto.code, name: dto.name })
      .orIgnore()
      .returning('*')
      .execute();
    if (inserted.raw.length === 0) throw kommunExists(dto.code);
    return this.get(dto.code);
  }

  async list(): Promise<KommunResource[]> {
    return (await this.kommuner.find({ order: { code: 'ASC' } })).map(toKommun);
  }

  async get(code: string): Promise<KommunResource> {
    const kommun = await this.kommuner.findOneBy({ code });
    if (!kommun) throw kommunNotFound(code);
    return toKommun(kommun);
  }

  async rename(code: string, name: string): Promise<KommunResource> {
    const result = await this.kommuner.update({ code }, { name });
    if (!result.affected) throw kommunNotFound(code);
    return this.get(code);
  }

  /** Whether the kommun is registered (a database failure still throws). */
  async exists(code: string): Promise<boolean> {
    try {
      await this.assertExists(code);
      return true;
    } catch (err) {
      if (err instanceof DomainError) return false;
      throw err;
    }
  }

  /** Throws the kommun's 404 unless it is registered; every tenant-scoped route starts here. */
  async assertExists(code: string): Promise<void> {
    if (this.known.has(code)) return;
    if (!(await this.kommuner.existsBy({ code }))) throw kommunNotFound(code);
    this.known.add(code);
  }

  async putSchoolUnit(
    kommunCode: string,
    code: string,
    dto: PutSchoolUnitDto,
  ): Promise<{ unit: SchoolUnitResource; created: boolean }> {
    await this.assertExists(kommunCode);
    const [row] = await this.db.once<SchoolUnitRow & { inserted: boolean }>(
      kommunCode,
      sql`INSERT INTO school_units AS su (kommun_code, code, name, school_types)
          VALUES (${kommunCode}, ${code}, ${dto.name}, ${[...new Set(dto.schoolTypes)]}::text[])
          ON CONFLICT (kommun_code, code) DO UPDATE
            SET name = EXCLUDED.name, school_types = EXCLUDED.school_types, updated_at = now()
          RETURNING ${UNIT_COLUMNS}, (su.xmax = 0) AS inserted`,
    );
    return { unit: toSchoolUnit(row), created: row.inserted };
  }

  async listSchoolUnits(kommunCode: string): Promise<SchoolUnitResource[]> {
    await this.assertExists(kommunCode);
    const rows = await this.db.once<SchoolUnitRow>(
      kommunCode,
      sql`SELECT ${UNIT_COLUMNS} FROM school_units WHERE kommun_code = ${kommunCode} ORDER BY code`,
    );
    return rows.map(toSchoolUnit);
  }

  async getSchoolUnit(kommunCode: string, code: string): Promise<SchoolUnitResource> {
    await this.assertExists(kommunCode);
    const [row] = await this.db.once<SchoolUnitRow>(
      kommunCode,
      sql`SELECT ${UNIT_COLUMNS} FROM school_units WHERE kommun_code = ${kommunCode} AND code = ${code}`,
    );
    if (!row) throw schoolUnitNotFound(kommunCode, code);
    return toSchoolUnit(row);
  }

  async deleteSchoolUnit(kommunCode: string, code: string): Promise<void> {
    await this.assertExists(kommunCode);
    const rows = await this.db.once(
      kommunCode,
      sql`DELETE FROM school_units WHERE kommun_code = ${kommunCode} AND code = ${code} RETURNING code`,
    );
    if (rows.length === 0) throw schoolUnitNotFound(kommunCode, code);
  }
}
