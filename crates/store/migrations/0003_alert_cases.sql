-- Alert cases: every alert outcome opens one, with the pack's data, the
-- return code, the likely cause, and later a note and a decision.
CREATE TABLE alert_cases (
    id INTEGER PRIMARY KEY,
    opened_at INTEGER NOT NULL,
    product_code TEXT NOT NULL,
    batch TEXT NOT NULL,
    expiry TEXT NOT NULL,
    serial TEXT NOT NULL,
    operation TEXT NOT NULL,
    return_code TEXT NOT NULL,
    message TEXT NOT NULL,
    likely_cause TEXT NOT NULL,
    scan_text TEXT NOT NULL,
    user_id TEXT NOT NULL,
    workstation TEXT NOT NULL,
    note TEXT,
    decision TEXT,
    decided_at INTEGER,
    decided_by TEXT
);
CREATE INDEX alert_cases_open ON alert_cases (decided_at, opened_at);
