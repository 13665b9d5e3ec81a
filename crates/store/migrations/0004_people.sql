-- Countercheck store, version 4: people and workstations.
-- users (from version 1) gains who may still sign in and when they were added;
-- pin_hash holds a salted PBKDF2 hash, never the PIN.
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;

-- Every workstation that has used this database, and when it was last seen.
CREATE TABLE workstations (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL
);
