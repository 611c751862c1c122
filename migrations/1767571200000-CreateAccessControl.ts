import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access control: the OAuth clients of platforms (their public keys and granted scopes), the client
 * assertions already used (RFC 7523 §3: single use), and the indexes that find a guardian's children
 * and a pupil's own record by civic number.
 */
export class CreateAccessControl1767571200000 implements MigrationInterface {
  name = 'CreateAccessControl1767571200000';

  async up(q: QueryRunner): Promise<void> {
    // One client per platform registration; the client id is "<kommun>:<platform id>", so the token
    // endpoint knows the tenant before it reads anything (every read here is under row-level security).
    await q.query(`
      CREATE TABLE platform_clients (
        platform_id  uuid        NOT NULL,
        kommun_code  char(4)     NOT NULL,
        jwks         jsonb,
        jwks_uri     text,
        scopes       text[]      NOT NULL DEFAULT '{}',
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_platform_clients PRIMARY KEY (platform_id),
        CONSTRAINT fk_platform_clients_platform FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE,
        CONSTRAINT ck_platform_clients_keys CHECK ((jwks IS NULL) <> (jwks_uri IS NULL))
      )`);

    // A client assertion's jti, kept until the assertion expires: the same assertion twice is refused.
    await q.query(`
      CREATE TABLE client_assertion_jtis (
        kommun_code  char(4)     NOT NULL,
        client_id    text        NOT NULL,
        jti          text        NOT NULL,
        expires_at   timestamptz NOT NULL,
        CONSTRAINT pk_client_assertion_jtis PRIMARY KEY (kommun_code, client_id, jti)
      )`);
    await q.query(
      `CREATE INDEX ix_client_assertion_jtis_expires ON client_assertion_jtis (kommun_code, expires_at)`,
    );

    for (const table of ['platform_clients', 'client_assertion_jtis']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO portabel_app`);
    }

    // A guardian sees their children with custody; a pupil, themselves (found by civic number).
    await q.query(
      `CREATE INDEX ix_learner_records_guardians ON learner_records USING gin ((record -> 'guardians') jsonb_path_ops)`,
    );
    await q.query(
      `CREATE INDEX ix_learner_records_pupil_civic_no ON learner_records (kommun_code, (record #>> '{pupil,civicNo,value}'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_learner_records_pupil_civic_no`);
    await q.query(`DROP INDEX ix_learner_records_guardians`);
    await q.query(`DROP TABLE client_assertion_jtis`);
    await q.query(`DROP TABLE platform_clients`);
  }
}
