import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adapter exports are outflows the decision point decides: each job keeps who asked for it (the
 * audit actor of every decision), the purpose and the recipient it was decided for. The complete
 * loss report is kept beside the file (`part = 'loss-report'`), as the job row lists only the first
 * entries.
 */
export class AddExportDisclosure1767916800000 implements MigrationInterface {
  name = 'AddExportDisclosure1767916800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE export_jobs
        ADD COLUMN requested_by jsonb NOT NULL DEFAULT '{"kind":"system"}',
        ADD COLUMN purpose      text  NOT NULL DEFAULT 'provisioning',
        ADD COLUMN recipient    text,
        ADD COLUMN withheld_count integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE export_file_chunks ADD COLUMN part text NOT NULL DEFAULT 'file'`);
    await q.query(`ALTER TABLE export_file_chunks DROP CONSTRAINT pk_export_file_chunks`);
    await q.query(
      `ALTER TABLE export_file_chunks ADD CONSTRAINT pk_export_file_chunks PRIMARY KEY (job_id, part, seq)`,
    );
    await q.query(
      `ALTER TABLE export_file_chunks ADD CONSTRAINT ck_export_file_chunks_part CHECK (part IN ('file', 'loss-report'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM export_file_chunks WHERE part <> 'file'`);
    await q.query(`ALTER TABLE export_file_chunks DROP CONSTRAINT ck_export_file_chunks_part`);
    await q.query(`ALTER TABLE export_file_chunks DROP CONSTRAINT pk_export_file_chunks`);
    await q.query(
      `ALTER TABLE export_file_chunks ADD CONSTRAINT pk_export_file_chunks PRIMARY KEY (job_id, seq)`,
    );
    await q.query(`ALTER TABLE export_file_chunks DROP COLUMN part`);
    await q.query(
      `ALTER TABLE export_jobs DROP COLUMN withheld_count, DROP COLUMN recipient, DROP COLUMN purpose, DROP COLUMN requested_by`,
    );
  }
}
