-- The workspace each member last acted in: the twin of
-- migrations/sqlite/0020_member_team.sql, whose comments say why.
ALTER TABLE members ADD COLUMN team_id TEXT COLLATE "C" NOT NULL DEFAULT '';
