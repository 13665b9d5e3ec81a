-- Countercheck store, version 6: the national system's own id for an alert
-- (securPharm gives one with every alert answer; NMVS systems give it
-- through their alert management, not in the answer), kept with the case so
-- that the pharmacy can quote it when it reports or closes the alert.
ALTER TABLE alert_cases ADD COLUMN alert_id TEXT;
