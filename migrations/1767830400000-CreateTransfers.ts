import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfers between kommuner. The sender's side is a durable outbox (`transfers`): one row per
 * package, its state, the sealed package and the delivery attempts; `transfer_batches` groups the
 * packages of a class or a closing school. The receiver's side is the inbox (`transfer_inbox`): one
 * row per package received (unique per kommun and package id, which makes delivery idempotent), the
 * registrar's decision, and the signed acknowledgement with its own outbox columns so that it reaches
 * the sender exactly once however often either side restarts.
 */
export class CreateTransfers1767830400000 implements MigrationInterface {
  name = 'CreateTransfers1767830400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfer_batches (
        id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code           char(4)     NOT NULL,
        receiver_kommun       char(4)     NOT NULL,
        receiver_school_unit  char(8),
        deliver               text        NOT NULL,
        selection             jsonb       NOT NULL,
        state                 text        NOT NULL DEFAULT 'queued',
        pupils                integer,
        created_by            text        NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_transfer_batches PRIMARY KEY (id),
        CONSTRAINT fk_transfer_batches_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_transfer_batches_state CHECK (state IN ('queued', 'created')),
        CONSTRAINT ck_transfer_batches_deliver CHECK (deliver IN ('push', 'download'))
      )`);

    await q.query(`
      CREATE TABLE transfers (
        id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code           char(4)     NOT NULL,
        jti                   uuid,
        record_id             uuid        NOT NULL,
        purpose               text        NOT NULL DEFAULT 'transfer',
        receiver_kommun       char(4)     NOT NULL,
        receiver_school_unit  char(8),
        deliver               text        NOT NULL DEFAULT 'push',
        state                 text        NOT NULL DEFAULT 'created',
        batch_id              uuid,
        subject_request_id    uuid,
        created_by            text        NOT NULL,
        created_by_role       text        NOT NULL,
        package               text,
        package_sha256        char(64),
        manifest              jsonb,
        loss                  jsonb,
        attempts              integer     NOT NULL DEFAULT 0,
        next_attempt_at       timestamptz NOT NULL DEFAULT now(),
        lease_until           timestamptz,
        last_error            jsonb,
        problem               jsonb,
        outcome_reason        text,
        receipt               text,
        created_at            timestamptz NOT NULL DEFAULT now(),
        sealed_at             timestamptz,
        delivered_at          timestamptz,
        acknowledged_at       timestamptz,
        cancelled_at          timestamptz,
        downloaded_at         timestamptz,
        updated_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_transfers PRIMARY KEY (id),
        CONSTRAINT uq_transfers_jti UNIQUE (kommun_code, jti),
        CONSTRAINT fk_transfers_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT fk_transfers_batch FOREIGN KEY (batch_id) REFERENCES transfer_batches (id) ON DELETE SET NULL,
        CONSTRAINT ck_transfers_state CHECK (state IN ('created', 'sealed', 'delivering', 'delivered', 'accepted', 'rejected', 'cancelled', 'failed')),
        CONSTRAINT ck_transfers_deliver CHECK (deliver IN ('push', 'download')),
        CONSTRAINT ck_transfers_purpose CHECK (purpose IN ('transfer', 'portability'))
      )`);
    // The outbox's work list: what is due, per kommun.
    await q.query(
      `CREATE INDEX ix_transfers_due ON transfers (kommun_code, next_attempt_at) WHERE state IN ('created', 'sealed', 'delivering')`,
    );
    await q.query(`CREATE INDEX ix_transfers_list ON transfers (kommun_code, created_at DESC, id)`);
    // One package per pupil and batch: a batch job that runs again adds nobody twice.
    await q.query(
      `CREATE UNIQUE INDEX uq_transfers_batch_record ON transfers (batch_id, record_id) WHERE batch_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE transfer_inbox (
        id                    uuid        NOT NULL DEFAULT gen_random_uuid(),
        kommun_code           char(4)     NOT NULL,
        jti                   uuid        NOT NULL,
        package_sha256        char(64)    NOT NULL,
        sender_kommun         char(4)     NOT NULL,
        sender_kid            text        NOT NULL,
        purpose               text        NOT NULL,
        manifest              jsonb       NOT NULL,
        record                jsonb,
        loss                  jsonb       NOT NULL DEFAULT '[]',
        state                 text        NOT NULL DEFAULT 'received',
        reason                text,
        record_id             uuid,
        decided_by            text,
        received_at           timestamptz NOT NULL DEFAULT now(),
        decided_at            timestamptz,
        receipt               text,
        receipt_state         text,
        receipt_attempts      integer     NOT NULL DEFAULT 0,
        receipt_next_at       timestamptz,
        receipt_lease_until   timestamptz,
        receipt_error         jsonb,
        receipt_sent_at       timestamptz,
        CONSTRAINT pk_transfer_inbox PRIMARY KEY (id),
        CONSTRAINT uq_transfer_inbox_jti UNIQUE (kommun_code, jti),
        CONSTRAINT fk_transfer_inbox_kommun FOREIGN KEY (kommun_code) REFERENCES kommuner (code),
        CONSTRAINT ck_transfer_inbox_state CHECK (state IN ('received', 'accepted', 'rejected')),
        CONSTRAINT ck_transfer_inbox_receipt_state CHECK (receipt_state IN ('pending', 'sent', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX ix_transfer_inbox_list ON transfer_inbox (kommun_code, received_at DESC, id)`,
    );
    await q.query(
      `CREATE INDEX ix_transfer_inbox_receipts_due ON transfer_inbox (kommun_code, receipt_next_at) WHERE receipt_state = 'pending'`,
    );
    // A redelivery is recognised by its bytes before anything else is done with it.
    await q.query(`CREATE INDEX ix_transfer_inbox_sha256 ON transfer_inbox (package_sha256)`);

    for (const table of ['transfer_batches', 'transfers', 'transfer_inbox']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY tenant_isolation ON ${table}
          USING (kommun_code = current_setting('app.kommun', true))
          WITH CHECK (kommun_code = current_setting('app.kommun', true))`);
    }
    await q.query(
      `GRANT SELECT, INSERT, UPDATE ON transfer_batches, transfers, transfer_inbox TO portabel_app`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfer_inbox`);
    await q.query(`DROP TABLE transfers`);
    await q.query(`DROP TABLE transfer_batches`);
  }
}
