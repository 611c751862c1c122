import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trust registry: each hosted kommun's peers (other kommuner it sends transfers to and takes
 * them from) with their keys, the peer keys it revoked, and the signed trust lists it applied.
 * Everything belongs to the hosting kommun (kommun_code), behind row-level security like the rest.
 */
export class CreateTrustRegistry1767744000000 implements MigrationInterface {
  name = 'CreateTrustRegistry1767744000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE trust_peers (
        kommun_code      char(4)     NOT NULL,
        peer_code        char(4)     NOT NULL,
        name             text        NOT NULL,
        base_url         text        NOT NULL,
        jwks_uri         text,
        jwks             jsonb,
        jwks_fetched_at  timestamptz,
        jwks_error       text,
        jwks_error_at    timestamptz,
        school_units     text[]      NOT NULL DEFAULT '{}',
        source           text        NOT NULL,
        list_issuer      text,
        list_sequence    bigint,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_trust_peers PRIMARY KEY (kommun_code, peer_code),
        CONSTRAINT fk_trust_peers_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_trust_peers_source CHECK (source IN ('api', 'trust-list')),
        CONSTRAINT ck_trust_peers_keys CHECK (jwks_uri IS NOT NULL OR jwks IS NOT NULL),
        CONSTRAINT ck_trust_peers_not_self CHECK (peer_code <> kommun_code),
        CONSTRAINT ck_trust_peers_list CHECK ((source = 'trust-list') = (list_issuer IS NOT NULL))
      )`);

    // Kept when the peer is removed: a key revoked once is never trusted again, even if the peer returns.
    await q.query(`
      CREATE TABLE trust_revoked_keys (
        kommun_code  char(4)     NOT NULL,
        peer_code    char(4)     NOT NULL,
        kid          text        NOT NULL,
        reason       text        NOT NULL,
        revoked_by   text        NOT NULL,
        revoked_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_trust_revoked_keys PRIMARY KEY (kommun_code, peer_code, kid),
        CONSTRAINT fk_trust_revoked_keys_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code)
      )`);

    // The newest list applied per operator; an older or equal sequence is refused.
    await q.query(`
      CREATE TABLE trust_lists (
        kommun_code  char(4)     NOT NULL,
        issuer       text        NOT NULL,
        sequence     bigint      NOT NULL,
        issued_at    timestamptz NOT NULL,
        applied_at   timestamptz NOT NULL DEFAULT now(),
        applied_by   text        NOT NULL,
        peer_count   integer     NOT NULL,
        jws          text        NOT NULL,
        CONSTRAINT pk_trust_lists PRIMARY KEY (kommun_code, issuer),
        CONSTRAINT fk_trust_lists_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code)
      )`);

    for (const table of ['trust_peers', 'trust_revoked_keys', 'trust_lists']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON trust_peers, trust_lists TO portabel_app`);
    // Revocations are only ever added.
    await q.query(`GRANT SELECT, INSERT ON trust_revoked_keys TO portabel_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trust_lists`);
    await q.query(`DROP TABLE trust_revoked_keys`);
    await q.query(`DROP TABLE trust_peers`);
  }
}
