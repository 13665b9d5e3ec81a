-- Countercheck store, version 1.

-- Our own state changes at the national system, one row per intended change.
CREATE TABLE ledger (
  id            INTEGER PRIMARY KEY,
  client_trx_id TEXT NOT NULL UNIQUE,
  nmvs_trx_id   TEXT,
  operation     TEXT NOT NULL,          -- G-code
  product_code  TEXT NOT NULL,
  scheme        TEXT NOT NULL,          -- GTIN | PPN
  serial        TEXT NOT NULL,
  batch         TEXT NOT NULL,
  expiry        TEXT NOT NULL,          -- YYMMDD as scanned
  user_id       TEXT NOT NULL,
  workstation   TEXT NOT NULL,
  site          TEXT NOT NULL,
  at            INTEGER NOT NULL,       -- seconds since 1970 (UTC)
  outcome       TEXT NOT NULL,          -- return code, or 'recorded' while in the outbox
  state         TEXT                    -- pack state reported by the system
);
CREATE INDEX ledger_pack ON ledger (product_code, serial);

-- Intended operations not yet confirmed by the national system.
CREATE TABLE outbox (
  id                INTEGER PRIMARY KEY,
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
  created_at        INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   INTEGER NOT NULL,
  last_error        TEXT,
  status            TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'claimed', 'done', 'exception')),
  claimed_by        TEXT,
  claimed_at        INTEGER,
  result_code       TEXT,
  acknowledged_at   INTEGER,
  ack_note          TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- What the national system told us about products and batches.
CREATE TABLE product_cache (
  product_code TEXT PRIMARY KEY,
  name         TEXT,
  updated_at   INTEGER NOT NULL
);
CREATE TABLE batch_cache (
  product_code TEXT NOT NULL,
  batch        TEXT NOT NULL,
  recalled     INTEGER NOT NULL DEFAULT 0,
  withdrawn    INTEGER NOT NULL DEFAULT 0,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (product_code, batch)
);

-- Append-only journal: every scan and outcome; each entry carries the hash
-- of the one before.
CREATE TABLE journal (
  seq          INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
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
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('pharmacist', 'technician', 'administrator')),
  pin_hash TEXT
);
