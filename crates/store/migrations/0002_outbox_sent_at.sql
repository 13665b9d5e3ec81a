-- When the request of an outbox item may have reached the national system
-- (NULL: certainly never sent). The replay needs it to tell its own lost
-- answer from a change made elsewhere.
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
UPDATE outbox SET sent_at = created_at WHERE attempts > 0;
