import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one hash chain per kommun (and one, '0000', for the installation's own events),
 * and the signed checkpoints over it (src/audit).
 *
 * Append-only twice over: the application role may only INSERT and SELECT (a permission error
 * otherwise), and a trigger refuses UPDATE, DELETE and TRUNCATE from anyone else, the owner included.
 * Only a superuser can get past both, and what they change no longer matches the hashes and the
 * signed checkpoints (verification names the first broken entry).
 *
 * No foreign key to kommuner: the installation chain belongs to no kommun, and an audit row must
 * outlive anything it speaks of.
 */
export class CreateAuditLog1767520800000 implements MigrationInterface {
  name = 'CreateAuditLog1767520800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        kommun_code            char(4)     NOT NULL,
        seq                    bigint      NOT NULL,
        v                      smallint    NOT NULL,
        occurred_at            timestamptz NOT NULL,
        actor_kind             text        NOT NULL,
        actor_subject          text,
        actor_role             text,
        on_behalf_of           text,
        action                 text        NOT NULL,
        outcome                text        NOT NULL,
        pupil_record_ids       uuid[]      NOT NULL DEFAULT '{}',
        pupil_civic_no_hashes  text[]      NOT NULL DEFAULT '{}',
        sections               text[]      NOT NULL DEFAULT '{}',
        legal_basis            jsonb,
        request_id             text,
        purpose                text,
        recipient              text,
        detail                 jsonb       NOT NULL DEFAULT '{}',
        prev_hash              text        NOT NULL,
        hash                   text        NOT NULL,
        -- One entry per place in a kommun's chain: two writers can never fork it.
        CONSTRAINT pk_audit_log PRIMARY KEY (kommun_code, seq),
        CONSTRAINT ck_audit_log_kommun CHECK (kommun_code ~ '^[0-9]{4}$'),
        CONSTRAINT ck_audit_log_seq CHECK (seq >= 1),
        CONSTRAINT ck_audit_log_actor_kind CHECK (
          actor_kind IN ('person', 'platform', 'peer', 'operator', 'system', 'anonymous')),
        CONSTRAINT ck_audit_log_outcome CHECK (outcome IN ('allowed', 'denied', 'succeeded', 'failed')),
        CONSTRAINT ck_audit_log_hashes CHECK (prev_hash ~ '^[0-9a-f]{64}$' AND hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT ck_audit_log_genesis CHECK (seq > 1 OR prev_hash = repeat('0', 64))
      )`);
    // The DPO's questions: everything about a pupil, everything in a period.
    await q.query(`CREATE INDEX ix_audit_log_pupils ON audit_log USING gin (pupil_record_ids)`);
    await q.query(`CREATE INDEX ix_audit_log_kommun_occurred ON audit_log (kommun_code, occurred_at)`);

    await q.query(`
      CREATE TABLE audit_checkpoints (
        kommun_code  char(4)     NOT NULL,
        seq          bigint      NOT NULL,
        hash         text        NOT NULL,
        made_at      timestamptz NOT NULL,
        jws          text        NOT NULL,
        CONSTRAINT pk_audit_checkpoints PRIMARY KEY (kommun_code, seq),
        CONSTRAINT ck_audit_checkpoints_hash CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);

    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_log', 'audit_checkpoints']) {
      await q.query(`
        CREATE TRIGGER tg_${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await q.query(`
        CREATE TRIGGER tg_${table}_no_truncate BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
      await q.query(`GRANT SELECT, INSERT ON ${table} TO portabel_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_append_only()`);
  }
}
