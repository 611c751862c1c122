import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { TenantTransactions } from '../database/tenant-transactions';
import { CreateKommunDto, KommunResource, PutSchoolUnitDto, SchoolUnitResource } from './kommuner.dto';
import { kommunExists, kommunNotFound, schoolUnitNotFound } from './kommuner.errors';
import { KommunEntity } from './kommun.entity';
import { SchoolUnitEntity } from './school-unit.entity';

const toKommun = (k: KommunEntity): KommunResource => ({
  code: k.code,
  name: k.name,
  createdAt: k.createdAt.toISOString(),
  updatedAt: k.updatedAt.toISOString(),
});

const toSchoolUnit = (u: SchoolUnitEntity): SchoolUnitResource => ({
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
    private readonly tenants: TenantTransactions,
  ) {}

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

  /** Throws the kommun's 404 unless it is registered; every tenant-scoped route starts here. */
  async assertExists(code: string): Promise<void> {
    if (!(await this.kommuner.existsBy({ code }))) throw kommunNotFound(code);
  }

  async putSchoolUnit(kommunCode: string, code: string, dto: PutSchoolUnitDto): Promise<{ unit: SchoolUnitResource; created: boolean }> {
    await this.assertExists(kommunCode);
    return this.tenants.run(kommunCode, async (em) => {
      const rows: Array<SchoolUnitEntity & { inserted: boolean }> = await em.query(
        `INSERT INTO school_units AS su (kommun_code, code, name, school_types) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kommun_code, code) DO UPDATE SET name = EXCLUDED.name, school_types = EXCLUDED.school_types, updated_at = now()
         RETURNING su.kommun_code AS "kommunCode", su.code, su.name, su.school_types AS "schoolTypes",
                   su.created_at AS "createdAt", su.updated_at AS "updatedAt", (su.xmax = 0) AS inserted`,
        [kommunCode, code, dto.name, [...new Set(dto.schoolTypes)]],
      );
      return { unit: toSchoolUnit(rows[0]), created: rows[0].inserted };
    });
  }

  async listSchoolUnits(kommunCode: string): Promise<SchoolUnitResource[]> {
    await this.assertExists(kommunCode);
    return this.tenants.run(kommunCode, async (em) =>
      (await em.find(SchoolUnitEntity, { where: { kommunCode }, order: { code: 'ASC' } })).map(toSchoolUnit),
    );
  }

  async getSchoolUnit(kommunCode: string, code: string): Promise<SchoolUnitResource> {
    await this.assertExists(kommunCode);
    const unit = await this.tenants.run(kommunCode, (em) => em.findOneBy(SchoolUnitEntity, { kommunCode, code }));
    if (!unit) throw schoolUnitNotFound(kommunCode, code);
    return toSchoolUnit(unit);
  }

  async deleteSchoolUnit(kommunCode: string, code: string): Promise<void> {
    await this.assertExists(kommunCode);
    const result = await this.tenants.run(kommunCode, (em) => em.delete(SchoolUnitEntity, { kommunCode, code }));
    if (!result.affected) throw schoolUnitNotFound(kommunCode, code);
  }
}
