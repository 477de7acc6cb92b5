-- Where an answer's confirmation goes, and when it went. An answer is
-- committed before it is confirmed, so a crash in between leaves a row with
-- confirmed_at = 0, which the app confirms when it starts again.
ALTER TABLE evidence ADD COLUMN confirm_thread TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN confirmed_at INTEGER NOT NULL DEFAULT 0;
-- Answers stored before this migration were confirmed by the version that stored them.
UPDATE evidence SET confirmed_at = created_at;
CREATE INDEX evidence_unconfirmed ON evidence (created_at) WHERE confirmed_at = 0;
