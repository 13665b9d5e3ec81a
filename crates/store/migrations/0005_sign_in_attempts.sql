-- Countercheck store, version 5: wrong PINs in a row, per user, kept in the
-- database (a restart gives no fresh guesses) and counted in the same
-- transaction that checks the lock (parallel sign-ins cannot pass together).
CREATE TABLE sign_in_attempts (
  user_id  TEXT PRIMARY KEY,
  wrong    INTEGER NOT NULL,
  last_at  INTEGER NOT NULL
);

-- Who acknowledged a replay exception (a pharmacist, by name).
ALTER TABLE outbox ADD COLUMN acknowledged_by TEXT;
