import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staged records are compressed with lz4 like the learner records they become: pglz cost the
 * server a good part of its CPU in a kommun's import, and a value already lz4-compressed is copied
 * into learner_records as it is when the import is applied. The same for the 1 MB pieces of
 * exported files (an SS 12000 bundle of a kommun is some hundred MB of JSON) and of uploads.
 * PGlite lacks lz4 and keeps pglz.
 */
export class StagingLz41768003200000 implements MigrationInterface {
  name = 'StagingLz41768003200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE import_staging ALTER COLUMN record SET COMPRESSION lz4;
        ALTER TABLE export_file_chunks ALTER COLUMN data SET COMPRESSION lz4;
        ALTER TABLE import_file_chunks ALTER COLUMN data SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_staging ALTER COLUMN record SET COMPRESSION default`);
    await q.query(`ALTER TABLE export_file_chunks ALTER COLUMN data SET COMPRESSION default`);
    await q.query(`ALTER TABLE import_file_chunks ALTER COLUMN data SET COMPRESSION default`);
  }
}
