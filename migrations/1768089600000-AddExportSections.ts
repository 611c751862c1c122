import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An export goes out with no more than its requester may see: a platform's export carries only the
 * sections the platform was granted (civic numbers included), as its reads through the API do.
 * NULL: every section (people of the kommun with the right to all of it).
 */
export class AddExportSections1768089600000 implements MigrationInterface {
  name = 'AddExportSections1768089600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE export_jobs ADD COLUMN sections text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE export_jobs DROP COLUMN sections`);
  }
}
