import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Platform registrations (which adapter a platform speaks, with its options), import jobs with
 * their uploaded file, their staging area (validated pupils waiting to be written in one
 * transaction) and export jobs with their output. All tenant tables, with row-level security.
 */
export class CreatePlatformsAndImports1767398400000 implements MigrationInterface {
  name = 'CreatePlatformsAndImports1767398400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platforms (
        id           uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code  char(4)     NOT NULL,
        name         text        NOT NULL,
        vendor       text        NOT NULL,
        product      text        NOT NULL,
        adapter      text        NOT NULL,
        options      jsonb       NOT NULL DEFAULT '{}',
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_platforms PRIMARY KEY (id),
        CONSTRAINT fk_platforms_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT uq_platforms_kommun_name UNIQUE (kommun_code, name)
      )`);

    await q.query(`
      CREATE TABLE import_jobs (
        id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code        char(4)     NOT NULL,
        platform_id        uuid,
        source_platform    text        NOT NULL,
        adapter            text        NOT NULL,
        options            jsonb       NOT NULL DEFAULT '{}',
        file_name          text,
        media_type         text,
        size               bigint      NOT NULL,
        sha256             text        NOT NULL,
        dry_run            boolean     NOT NULL DEFAULT false,
        mode               text        NOT NULL DEFAULT 'delta',
        confirm_deletions  boolean     NOT NULL DEFAULT false,
        deletion_threshold real        NOT NULL DEFAULT 0.1,
        state              text        NOT NULL DEFAULT 'queued',
        processed          integer     NOT NULL DEFAULT 0,
        total              integer,
        counts             jsonb       NOT NULL DEFAULT '{}',
        loss_summary       jsonb       NOT NULL DEFAULT '{}',
        problem            jsonb,
        attempts           integer     NOT NULL DEFAULT 0,
        created_at         timestamptz NOT NULL DEFAULT now(),
        started_at         timestamptz,
        finished_at        timestamptz,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_import_jobs PRIMARY KEY (id),
        CONSTRAINT fk_import_jobs_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT fk_import_jobs_platform FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE SET NULL,
        CONSTRAINT ck_import_jobs_state CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'refused')),
        CONSTRAINT ck_import_jobs_mode CHECK (mode IN ('delta', 'snapshot'))
      )`);
    await q.query(`CREATE INDEX ix_import_jobs_kommun_created ON import_jobs (kommun_code, created_at DESC)`);

    // The upload, in 1 MB pieces: in PostgreSQL so that any instance can run the job.
    await q.query(`
      CREATE TABLE import_file_chunks (
        job_id       uuid    NOT NULL,
        seq          integer NOT NULL,
        kommun_code  char(4) NOT NULL,
        data         bytea   NOT NULL,
        CONSTRAINT pk_import_file_chunks PRIMARY KEY (job_id, seq),
        CONSTRAINT fk_import_file_chunks_job FOREIGN KEY (job_id) REFERENCES import_jobs (id) ON DELETE CASCADE
      )`);

    // What the adapter made of each input item, in input order: the job resumes after the last seq.
    await q.query(`
      CREATE TABLE import_staging (
        job_id        uuid    NOT NULL,
        seq           integer NOT NULL,
        kommun_code   char(4) NOT NULL,
        kind          text    NOT NULL,
        source_id     text,
        content_hash  text,
        record        jsonb,
        loss          jsonb   NOT NULL DEFAULT '[]',
        errors        jsonb   NOT NULL DEFAULT '[]',
        location      jsonb   NOT NULL DEFAULT '{}',
        CONSTRAINT pk_import_staging PRIMARY KEY (job_id, seq),
        CONSTRAINT fk_import_staging_job FOREIGN KEY (job_id) REFERENCES import_jobs (id) ON DELETE CASCADE,
        CONSTRAINT ck_import_staging_kind CHECK (kind IN ('record', 'deletion', 'rejected'))
      )`);
    // Finding a job's pupils by source (the plan, deletions) without scanning all its rows per pupil.
    await q.query(`CREATE INDEX ix_import_staging_job_source ON import_staging (job_id, source_id)`);

    await q.query(`
      CREATE TABLE export_jobs (
        id            uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code   char(4)     NOT NULL,
        platform_id   uuid,
        adapter       text        NOT NULL,
        options       jsonb       NOT NULL DEFAULT '{}',
        school_unit   char(8),
        state         text        NOT NULL DEFAULT 'queued',
        record_count  integer     NOT NULL DEFAULT 0,
        loss          jsonb       NOT NULL DEFAULT '[]',
        loss_count    integer     NOT NULL DEFAULT 0,
        media_type    text,
        file_name     text,
        size          bigint,
        sha256        text,
        problem       jsonb,
        created_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        expires_at    timestamptz NOT NULL DEFAULT now() + interval '7 days',
        CONSTRAINT pk_export_jobs PRIMARY KEY (id),
        CONSTRAINT fk_export_jobs_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_export_jobs_state CHECK (state IN ('queued', 'running', 'succeeded', 'failed'))
      )`);
    await q.query(`
      CREATE TABLE export_file_chunks (
        job_id       uuid    NOT NULL,
        seq          integer NOT NULL,
        kommun_code  char(4) NOT NULL,
        data         bytea   NOT NULL,
        CONSTRAINT pk_export_file_chunks PRIMARY KEY (job_id, seq),
        CONSTRAINT fk_export_file_chunks_job FOREIGN KEY (job_id) REFERENCES export_jobs (id) ON DELETE CASCADE
      )`);

    for (const table of [
      'platforms',
      'import_jobs',
      'import_file_chunks',
      'import_staging',
      'export_jobs',
      'export_file_chunks',
    ]) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO portabel_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE export_file_chunks`);
    await q.query(`DROP TABLE export_jobs`);
    await q.query(`DROP TABLE import_staging`);
    await q.query(`DROP TABLE import_file_chunks`);
    await q.query(`DROP TABLE import_jobs`);
    await q.query(`DROP TABLE platforms`);
  }
}
