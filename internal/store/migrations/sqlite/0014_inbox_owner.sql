-- Each inbox row belongs to the process that received it (issue 14). On
-- PostgreSQL several replicas share the inbox, and each handles only its own
-- rows, until the owner's lease on a row runs out (it died), when another
-- adopts it. On SQLite one process serves the database, and adopts every row
-- pending at its start.
ALTER TABLE inbox ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
CREATE INDEX inbox_lease ON inbox (lease_until) WHERE done_at = 0;
