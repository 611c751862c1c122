import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Kommuner, their school units, learner records, the changes feed and idempotency keys,
 * with row-level security by kommun as the second wall behind the application's own checks.
 * SQL kept to what PostgreSQL 15 (servers) and 18 (PGlite) both accept.
 */
export class CreateFoundation1767225600000 implements MigrationInterface {
  name = 'CreateFoundation1767225600000';

  async up(q: QueryRunner): Promise<void> {
    // The role every tenant-scoped transaction runs as (SET LOCAL ROLE): no BYPASSRLS, no ownership.
    // Roles are cluster-wide, so another database on the same server may have made it already.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portabel_app') THEN
          CREATE ROLE portabel_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END $$`);

    // The service connects as the schema owner and switches to the role per transaction (SET LOCAL
    // ROLE), which needs membership. A superuser has it already; a plain owner is granted it here.
    await q.query(`
      DO $$ BEGIN
        IF NOT pg_has_role(current_user, 'portabel_app', 'MEMBER') THEN
          EXECUTE format('GRANT portabel_app TO %I', current_user);
        END IF;
      END $$`);

    // A schema made with CREATE SCHEMA grants nothing to PUBLIC: say what the role may use.
    await q.query(
      `DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO portabel_app', current_schema()); END $$`,
    );

    await q.query(`
      CREATE TABLE kommuner (
        code        char(4)     NOT NULL,
        name        text        NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_kommuner PRIMARY KEY (code),
        CONSTRAINT ck_kommuner_code CHECK (code ~ '^[0-9]{4}$')
      )`);

    await q.query(`
      CREATE TABLE school_units (
        kommun_code   char(4)     NOT NULL,
        code          char(8)     NOT NULL,
        name          text        NOT NULL,
        school_types  text[]      NOT NULL DEFAULT '{}',
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_school_units PRIMARY KEY (kommun_code, code),
        CONSTRAINT fk_school_units_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_school_units_code CHECK (code ~ '^[0-9]{8}$')
      )`);

    // What the list filters index, derived in one place from the record itself: every school unit and
    // school year the pupil has been enrolled in. Whether an enrolment is current is checked at query time.
    await q.query(`
      CREATE FUNCTION learner_record_school_units(record jsonb) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT e->>'schoolUnitCode' ORDER BY e->>'schoolUnitCode')
                          FILTER (WHERE e->>'schoolUnitCode' IS NOT NULL), '{}')
        FROM jsonb_array_elements(CASE jsonb_typeof(record->'enrolments') WHEN 'array' THEN record->'enrolments' ELSE '[]'::jsonb END) e
      $$`);
    await q.query(`
      CREATE FUNCTION learner_record_school_years(record jsonb) RETURNS smallint[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT (e->>'schoolYear')::smallint ORDER BY (e->>'schoolYear')::smallint)
                          FILTER (WHERE jsonb_typeof(e->'schoolYear') = 'number'), '{}')
        FROM jsonb_array_elements(CASE jsonb_typeof(record->'enrolments') WHEN 'array' THEN record->'enrolments' ELSE '[]'::jsonb END) e
      $$`);

    await q.query(`
      CREATE TABLE learner_records (
        id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code        char(4)     NOT NULL,
        source_platform    text        NOT NULL,
        source_id          text        NOT NULL,
        version            integer     NOT NULL DEFAULT 1,
        content_hash       text        NOT NULL,
        record             jsonb       NOT NULL,
        school_unit_codes  text[]      GENERATED ALWAYS AS (learner_record_school_units(record)) STORED,
        school_years       smallint[]  GENERATED ALWAYS AS (learner_record_school_years(record)) STORED,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        deleted_at         timestamptz,
        CONSTRAINT pk_learner_records PRIMARY KEY (id),
        CONSTRAINT fk_learner_records_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT uq_learner_records_source UNIQUE (kommun_code, source_platform, source_id)
      )`);
    await q.query(`CREATE INDEX ix_learner_records_kommun_id ON learner_records (kommun_code, id)`);
    await q.query(
      `CREATE INDEX ix_learner_records_kommun_updated ON learner_records (kommun_code, updated_at)`,
    );
    await q.query(
      `CREATE INDEX ix_learner_records_school_units ON learner_records USING gin (school_unit_codes)`,
    );
    await q.query(`CREATE INDEX ix_learner_records_school_years ON learner_records USING gin (school_years)`);
    // lz4 TOAST compression speeds up ingest of ~10 KB jsonb rows by half again; PGlite lacks it.
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE learner_records ALTER COLUMN record SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
      END $$`);

    // The changes feed. txid lets readers skip rows of transactions still in flight, which could
    // otherwise commit a lower seq after a client has already read past it.
    await q.query(`
      CREATE TABLE record_changes (
        seq          bigint      GENERATED ALWAYS AS IDENTITY,
        kommun_code  char(4)     NOT NULL,
        record_id    uuid        NOT NULL,
        change_type  text        NOT NULL,
        version      integer     NOT NULL,
        changed_at   timestamptz NOT NULL DEFAULT now(),
        txid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT pk_record_changes PRIMARY KEY (seq),
        CONSTRAINT fk_record_changes_record FOREIGN KEY (record_id) REFERENCES learner_records (id) ON DELETE CASCADE,
        CONSTRAINT ck_record_changes_type CHECK (change_type IN ('created', 'updated', 'deleted'))
      )`);
    await q.query(`CREATE INDEX ix_record_changes_kommun_seq ON record_changes (kommun_code, seq)`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        kommun_code    char(4)     NOT NULL,
        key            text        NOT NULL,
        request_hash   text        NOT NULL,
        status_code    integer,
        response_body  jsonb,
        response_headers jsonb,
        created_at     timestamptz NOT NULL DEFAULT now(),
        expires_at     timestamptz NOT NULL DEFAULT now() + interval '24 hours',
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (kommun_code, key)
      )`);

    for (const table of ['school_units', 'learner_records', 'record_changes', 'idempotency_keys']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO portabel_app`);
    }
    await q.query(`GRANT SELECT ON kommuner TO portabel_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE record_changes`);
    await q.query(`DROP TABLE learner_records`);
    await q.query(`DROP TABLE school_units`);
    await q.query(`DROP TABLE kommuner`);
    await q.query(`DROP FUNCTION learner_record_school_years(jsonb)`);
    await q.query(`DROP FUNCTION learner_record_school_units(jsonb)`);
    // The role may still hold grants in another database of the same server: keep it then.
    await q.query(`
      DO $$ BEGIN
        DROP ROLE IF EXISTS portabel_app;
      EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
      END $$`);
  }
}
