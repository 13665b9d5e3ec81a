-- Countercheck site server, version 2: the site's enrolled workstations.
-- A workstation is approved on the site server by an administrator, who
-- gets a one-time code for it; the counter proves it holds the code (an
-- HMAC, the code itself never travels) and gets a certificate for its own
-- key. Every request is served only for a certificate listed here and not
-- revoked.
CREATE TABLE workstations (
  name            TEXT PRIMARY KEY,
  -- SHA-256 of the enrolled certificate (DER), hex; NULL until enrolled.
  cert_sha256     TEXT UNIQUE,
  -- SHA-256 of the open one-time code, hex (the HMAC key of the proofs);
  -- NULL once used.
  code_key        TEXT,
  code_expires_at BIGINT,
  approved_by     TEXT NOT NULL,
  approved_at     BIGINT NOT NULL,
  enrolled_at     BIGINT,
  revoked_at      BIGINT,
  revoked_by      TEXT
);
