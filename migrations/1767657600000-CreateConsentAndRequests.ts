import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent and data-subject rights: each kommun's policy as versioned documents, the full history of
 * consents given and withdrawn (never overwritten: the application role may only add), and the
 * requests of pupils and guardians (access, portability, rectification, restriction, erasure) with
 * their workflow and, for exports, the package.
 */
export class CreateConsentAndRequests1767657600000 implements MigrationInterface {
  name = 'CreateConsentAndRequests1767657600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_policies (
        kommun_code  char(4)     NOT NULL,
        version      integer     NOT NULL,
        document     jsonb       NOT NULL,
        created_by   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_consent_policies PRIMARY KEY (kommun_code, version),
        CONSTRAINT fk_consent_policies_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_consent_policies_version CHECK (version >= 1)
      )`);

    await q.query(`
      CREATE TABLE consents (
        id                 uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code        char(4)     NOT NULL,
        record_id          uuid        NOT NULL,
        purpose            text        NOT NULL,
        categories         text[]      NOT NULL,
        recipient          text,
        action             text        NOT NULL,
        giver_role         text        NOT NULL,
        giver_civic_no     text        NOT NULL,
        giver_subject      text        NOT NULL,
        collection_method  text        NOT NULL,
        expires_at         timestamptz,
        created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
        receipt_jws        text        NOT NULL,
        CONSTRAINT pk_consents PRIMARY KEY (id),
        CONSTRAINT fk_consents_record FOREIGN KEY (record_id) REFERENCES learner_records (id) ON DELETE CASCADE,
        CONSTRAINT ck_consents_action CHECK (action IN ('grant', 'withdraw')),
        CONSTRAINT ck_consents_purpose CHECK (purpose IN ('transfer', 'provisioning', 'portability', 'thirdParty')),
        CONSTRAINT ck_consents_giver_role CHECK (giver_role IN ('guardian', 'pupil')),
        CONSTRAINT ck_consents_method CHECK (collection_method IN ('web', 'paper', 'api'))
      )`);
    await q.query(`CREATE INDEX ix_consents_record ON consents (kommun_code, record_id, created_at)`);

    // GDPR Art. 18: while a restriction stands, nothing of the pupil goes anywhere but to themselves.
    await q.query(`
      CREATE TABLE processing_restrictions (
        kommun_code  char(4)     NOT NULL,
        record_id    uuid        NOT NULL,
        request_id   uuid        NOT NULL,
        restricted_at timestamptz NOT NULL DEFAULT now(),
        lifted_at    timestamptz,
        CONSTRAINT pk_processing_restrictions PRIMARY KEY (request_id),
        CONSTRAINT fk_processing_restrictions_record FOREIGN KEY (record_id) REFERENCES learner_records (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX ix_processing_restrictions_record ON processing_restrictions (kommun_code, record_id) WHERE lifted_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE subject_requests (
        id                  uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code         char(4)     NOT NULL,
        record_id           uuid        NOT NULL,
        kind                text        NOT NULL,
        status              text        NOT NULL DEFAULT 'received',
        requester_role      text        NOT NULL,
        requester_subject   text        NOT NULL,
        requester_civic_no  text,
        details             jsonb       NOT NULL DEFAULT '{}',
        resolution          jsonb,
        received_at         timestamptz NOT NULL DEFAULT now(),
        deadline_at         timestamptz NOT NULL,
        updated_at          timestamptz NOT NULL DEFAULT now(),
        completed_at        timestamptz,
        package_sha256      text,
        package_size        bigint,
        package_expires_at  timestamptz,
        download_token_hash text,
        CONSTRAINT pk_subject_requests PRIMARY KEY (id),
        CONSTRAINT fk_subject_requests_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_subject_requests_kind CHECK (kind IN ('access', 'portability', 'rectification', 'restriction', 'erasure')),
        CONSTRAINT ck_subject_requests_status CHECK (status IN ('received', 'in_review', 'building', 'ready', 'delivered', 'done', 'refused', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX ix_subject_requests_deadline ON subject_requests (kommun_code, deadline_at) WHERE completed_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX ix_subject_requests_record ON subject_requests (kommun_code, record_id, received_at DESC)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_subject_requests_token ON subject_requests (download_token_hash) WHERE download_token_hash IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE subject_request_events (
        request_id   uuid        NOT NULL,
        seq          integer     NOT NULL,
        kommun_code  char(4)     NOT NULL,
        status       text        NOT NULL,
        actor        text        NOT NULL,
        note         text,
        at           timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT pk_subject_request_events PRIMARY KEY (request_id, seq),
        CONSTRAINT fk_subject_request_events_request FOREIGN KEY (request_id) REFERENCES subject_requests (id) ON DELETE CASCADE
      )`);

    // The package of an access or portability request, in 1 MB pieces (any instance can serve it).
    await q.query(`
      CREATE TABLE subject_request_files (
        request_id   uuid    NOT NULL,
        seq          integer NOT NULL,
        kommun_code  char(4) NOT NULL,
        data         bytea   NOT NULL,
        CONSTRAINT pk_subject_request_files PRIMARY KEY (request_id, seq),
        CONSTRAINT fk_subject_request_files_request FOREIGN KEY (request_id) REFERENCES subject_requests (id) ON DELETE CASCADE
      )`);

    const tables = [
      'consent_policies',
      'consents',
      'processing_restrictions',
      'subject_requests',
      'subject_request_events',
      'subject_request_files',
    ];
    for (const table of tables) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
    }
    // Policies and consents are history: the application adds to it and never rewrites it.
    await q.query(
      `GRANT SELECT, INSERT ON consent_policies, consents, subject_request_events TO portabel_app`,
    );
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON subject_requests, subject_request_files TO portabel_app`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE (lifted_at) ON processing_restrictions TO portabel_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subject_request_files`);
    await q.query(`DROP TABLE subject_request_events`);
    await q.query(`DROP TABLE subject_requests`);
    await q.query(`DROP TABLE processing_restrictions`);
    await q.query(`DROP TABLE consents`);
    await q.query(`DROP TABLE consent_policies`);
  }
}
