import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each kommun's key pairs: signing (EdDSA, ES256, RS256) and encryption (ECDH-ES on X25519 or P-256).
 * The private JWK is stored only as an AES-256-GCM envelope under the instance's master key, with the
 * kommun, kid, use and alg as associated data (src/keys/key-envelope.ts); the database never sees it
 * in the clear.
 *
 * Reading: the application role sees only its own kommun's rows (row-level security, as every tenant
 * table). The public JWKS of every hosted kommun is read through one SECURITY DEFINER function,
 * kommun_public_keys(), owned by a dedicated role, portabel_jwks, that may SELECT only the public
 * columns (column privileges) of any row. Why not a view or a function owned by the schema owner:
 * FORCE ROW LEVEL SECURITY applies to the owner too, so either would see no rows unless the owner got
 * a policy of its own; and the service connects as the owner, so such a policy would let every
 * non-tenant query of the service read every kommun's encrypted private keys. With portabel_jwks the
 * only way across kommuner is a function that cannot read a private column even by mistake.
 */
export class CreateKommunKeys1767312000000 implements MigrationInterface {
  name = 'CreateKommunKeys1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE kommun_keys (
        kommun_code            char(4)     NOT NULL,
        kid                    text        NOT NULL,
        use                    text        NOT NULL,
        alg                    text        NOT NULL,
        public_jwk             jsonb       NOT NULL,
        private_jwk_encrypted  text        NOT NULL,
        master_key_id          text        NOT NULL,
        status                 text        NOT NULL DEFAULT 'active',
        created_at             timestamptz NOT NULL DEFAULT now(),
        retired_at             timestamptz,
        verify_until           timestamptz,
        revoked_at             timestamptz,
        revocation_reason      text,
        CONSTRAINT pk_kommun_keys PRIMARY KEY (kommun_code, kid),
        CONSTRAINT fk_kommun_keys_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        -- RFC 7638 SHA-256 thumbprint, base64url; the published kid is a URL ending in #<this>.
        CONSTRAINT ck_kommun_keys_kid CHECK (kid ~ '^[A-Za-z0-9_-]{43}$'),
        CONSTRAINT ck_kommun_keys_use CHECK (use IN ('sig', 'enc')),
        CONSTRAINT ck_kommun_keys_alg CHECK (
          (use = 'sig' AND alg IN ('EdDSA', 'ES256', 'RS256'))
          OR (use = 'enc' AND alg IN ('ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'))),
        CONSTRAINT ck_kommun_keys_public_only CHECK (
          jsonb_typeof(public_jwk) = 'object'
          AND NOT public_jwk ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']),
        CONSTRAINT ck_kommun_keys_status CHECK (status IN ('active', 'retired', 'revoked')),
        CONSTRAINT ck_kommun_keys_retired CHECK (
          status <> 'retired' OR (retired_at IS NOT NULL AND verify_until IS NOT NULL)),
        CONSTRAINT ck_kommun_keys_revoked CHECK (
          (status = 'revoked') = (revoked_at IS NOT NULL)
          AND (status = 'revoked') = (revocation_reason IS NOT NULL))
      )`);
    // One active key per kommun and kind (use, alg, curve); the kty stands in for RSA's absent curve.
    await q.query(`
      CREATE UNIQUE INDEX uq_kommun_keys_active
        ON kommun_keys (kommun_code, use, alg, (coalesce(public_jwk->>'crv', public_jwk->>'kty')))
        WHERE status = 'active'`);

    // A key only moves forward (active → retired → revoked, or straight to revoked), and what was
    // published or encrypted never changes: a revoked key can never be trusted again.
    await q.query(`
      CREATE FUNCTION kommun_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.kommun_code, NEW.kid, NEW.use, NEW.alg, NEW.public_jwk, NEW.private_jwk_encrypted,
            NEW.master_key_id, NEW.created_at)
           IS DISTINCT FROM
           (OLD.kommun_code, OLD.kid, OLD.use, OLD.alg, OLD.public_jwk, OLD.private_jwk_encrypted,
            OLD.master_key_id, OLD.created_at) THEN
          RAISE EXCEPTION 'a kommun key''s material and identity never change' USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status = 'revoked' AND NEW IS DISTINCT FROM OLD
           OR OLD.status = 'retired' AND NEW.status = 'active' THEN
          RAISE EXCEPTION 'a kommun key cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER tg_kommun_keys_guard BEFORE UPDATE ON kommun_keys
        FOR EACH ROW EXECUTE FUNCTION kommun_keys_guard()`);

    await q.query(`ALTER TABLE kommun_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE kommun_keys FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenant_isolation ON kommun_keys
        USING (kommun_code = current_setting('app.kommun', true))
        WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
    // Keys are never deleted, and only their status columns ever change.
    await q.query(`GRANT SELECT, INSERT ON kommun_keys TO portabel_app`);
    await q.query(
      `GRANT UPDATE (status, retired_at, verify_until, revoked_at, revocation_reason) ON kommun_keys TO portabel_app`,
    );

    // The reader of public parts (see the class comment). Roles are cluster-wide: another database
    // on the same server may have made it already.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portabel_jwks') THEN
          CREATE ROLE portabel_jwks NOLOGIN NOSUPERUSER NOBYPASSRLS;
        END IF;
      END $$`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO portabel_jwks', current_schema()); END $$`,
    );
    await q.query(
      `GRANT SELECT (kommun_code, kid, use, alg, public_jwk, master_key_id, status, verify_until)
         ON kommun_keys TO portabel_jwks`,
    );
    await q.query(`CREATE POLICY public_keys_reader ON kommun_keys FOR SELECT TO portabel_jwks USING (true)`);

    // Keys that verify (or decrypt) now: active ones, and retired ones within their grace period.
    // master_key_id (not secret: a check value of the master key) lets the service tell at start that
    // it runs with another master key than the one the keys were sealed with.
    await q.query(`
      DO $$ BEGIN
        EXECUTE format($f$
          CREATE FUNCTION kommun_public_keys()
          RETURNS TABLE (kommun_code char(4), kid text, use text, alg text, public_jwk jsonb,
                         master_key_id text, status text, verify_until timestamptz)
          LANGUAGE sql STABLE SECURITY DEFINER SET search_path = %I, pg_temp AS $body$
            SELECT k.kommun_code, k.kid, k.use, k.alg, k.public_jwk, k.master_key_id, k.status, k.verify_until
            FROM kommun_keys k
            WHERE k.status = 'active' OR (k.status = 'retired' AND k.verify_until > now())
          $body$ $f$, current_schema());
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION kommun_public_keys() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION kommun_public_keys() TO portabel_app`);
    // Handing the function to the role needs, for that moment only, membership with its privileges
    // and CREATE on the schema. Both are taken back: a member would also be subject to the reader
    // policy, which would let the service's own (owner) connection read every kommun's rows.
    await q.query(`
      DO $$
      DECLARE
        granted boolean := NOT pg_has_role(current_user, 'portabel_jwks', 'USAGE');
      BEGIN
        IF granted THEN
          EXECUTE format('GRANT portabel_jwks TO %I', current_user);
        END IF;
        EXECUTE format('GRANT CREATE ON SCHEMA %I TO portabel_jwks', current_schema());
        ALTER FUNCTION kommun_public_keys() OWNER TO portabel_jwks;
        EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM portabel_jwks', current_schema());
        IF granted THEN
          EXECUTE format('REVOKE portabel_jwks FROM %I', current_user);
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION kommun_public_keys()`);
    await q.query(`DROP TABLE kommun_keys`);
    await q.query(`DROP FUNCTION kommun_keys_guard()`);
    await q.query(
      `DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM portabel_jwks', current_schema()); END $$`,
    );
    // The role may still own the function of another database on the same server: keep it then.
    await q.query(`
      DO $$ BEGIN
        DROP ROLE IF EXISTS portabel_jwks;
      EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
      END $$`);
  }
}
