-- Countercheck site server, version 1: the site's ledger, outbox, caches,
-- hash-chained journal, alert cases and the engine's settings, as the
-- SQLite store holds them for one counter (crates/store/migrations), plus
-- the one claim per pack that serialises every change of a pack
-- site-wide. Times are seconds since 1970 (UTC), as in SQLite.

-- One row per pack the site has ever changed: the row a change of the pack
-- locks (SELECT … FOR UPDATE) while it checks the pack's last change and
-- commits its intent. Two counters scanning one pack in the same second are
-- serialised here, by the database, not by timing.
CREATE TABLE packs (
  product_code TEXT NOT NULL,
  serial       TEXT NOT NULL,
  PRIMARY KEY (product_code, serial)
);

CREATE TABLE ledger (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_trx_id TEXT NOT NULL UNIQUE,
  nmvs_trx_id   TEXT,
  operation     TEXT NOT NULL,
  product_code  TEXT NOT NULL,
  scheme        TEXT NOT NULL,
  serial        TEXT NOT NULL,
  batch         TEXT NOT NULL,
  expiry        TEXT NOT NULL,
  user_id       TEXT NOT NULL,
  workstation   TEXT NOT NULL,
  site          TEXT NOT NULL,
  at            BIGINT NOT NULL,
  outcome       TEXT NOT NULL,
  state         TEXT,
  FOREIGN KEY (product_code, serial) REFERENCES packs (product_code, serial)
);
CREATE INDEX ledger_pack ON ledger (product_code, serial, id);
-- At most one request on its way per pack, whichever counter sent it.
CREATE UNIQUE INDEX ledger_one_sending ON ledger (product_code, serial) WHERE outcome = 'sending';

CREATE TABLE outbox (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_trx_id     TEXT NOT NULL UNIQUE,
  operation         TEXT NOT NULL,
  product_code      TEXT NOT NULL,
  scheme            TEXT NOT NULL,
  serial            TEXT NOT NULL,
  batch             TEXT NOT NULL,
  expiry            TEXT NOT NULL,
  ref_client_trx_id TEXT,
  user_id           TEXT NOT NULL,
  workstation       TEXT NOT NULL,
  site              TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  attempts          BIGINT NOT NULL DEFAULT 0,
  next_attempt_at   BIGINT NOT NULL,
  last_error        TEXT,
  status            TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'claimed', 'done', 'exception')),
  claimed_by        TEXT,
  claimed_at        BIGINT,
  result_code       TEXT,
  acknowledged_at   BIGINT,
  ack_note          TEXT,
  sent_at           BIGINT,
  acknowledged_by   TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_pack ON outbox (product_code, serial, id);

CREATE TABLE product_cache (
  product_code TEXT PRIMARY KEY,
  name         TEXT,
  updated_at   BIGINT NOT NULL
);
CREATE TABLE batch_cache (
  product_code TEXT NOT NULL,
  batch        TEXT NOT NULL,
  recalled     BOOLEAN NOT NULL DEFAULT FALSE,
  withdrawn    BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at   BIGINT NOT NULL,
  PRIMARY KEY (product_code, batch)
);

CREATE TABLE journal (
  seq          BIGINT PRIMARY KEY,
  at           BIGINT NOT NULL,
  kind         TEXT NOT NULL,
  product_code TEXT NOT NULL DEFAULT '',
  batch        TEXT NOT NULL DEFAULT '',
  serial       TEXT NOT NULL DEFAULT '',
  operation    TEXT NOT NULL DEFAULT '',
  outcome      TEXT NOT NULL DEFAULT '',
  user_id      TEXT NOT NULL DEFAULT '',
  workstation  TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '',
  prev_hash    TEXT NOT NULL,
  hash         TEXT NOT NULL
);
CREATE INDEX journal_recall ON journal (product_code, batch, at);
CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only';
END;
$$;
CREATE TRIGGER journal_no_update BEFORE UPDATE OR DELETE ON journal
  FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
  FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE alert_cases (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  opened_at    BIGINT NOT NULL,
  product_code TEXT NOT NULL,
  batch        TEXT NOT NULL,
  expiry       TEXT NOT NULL,
  serial       TEXT NOT NULL,
  operation    TEXT NOT NULL,
  return_code  TEXT NOT NULL,
  message      TEXT NOT NULL,
  likely_cause TEXT NOT NULL,
  scan_text    TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  workstation  TEXT NOT NULL,
  note         TEXT,
  decision     TEXT,
  decided_at   BIGINT,
  decided_by   TEXT,
  alert_id     TEXT
);
CREATE INDEX alert_cases_open ON alert_cases (decided_at, opened_at);
