-- The permalink of the Slack message a piece of evidence was saved from: the
-- twin of migrations/sqlite/0015_evidence_link.sql.
ALTER TABLE evidence ADD COLUMN link TEXT COLLATE "C" NOT NULL DEFAULT '';
