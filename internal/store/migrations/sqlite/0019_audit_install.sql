-- Issue 16: an audit trail of admin actions, and the state of the install.
--
-- audit holds one row per admin action (admin enroll, admin digest send, a
-- purge) and per erase the app runs on its own (retention, the end of an
-- uninstall's grace period): who, what, when, and counts. It never holds
-- evidence text, and no member's forget removes it: it is the company's
-- record of what its admins did. at is unix milliseconds.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    actor  TEXT NOT NULL,   -- a Slack user id, or "cli" or "ladder"
    action TEXT NOT NULL,   -- "admin enroll", "purge", "retention", ...
    detail TEXT NOT NULL DEFAULT ''  -- counts only
);
CREATE INDEX audit_at ON audit (at, id);

-- install is the app's install, one row per workspace or org it was installed
-- in ('' for the token's own). uninstalled_at is when Slack said the app was
-- uninstalled or its tokens revoked (unix milliseconds, 0 while installed):
-- from then nothing is sent, and the data is erased once the grace period
-- has passed unless the app is installed again.
CREATE TABLE install (
    team_id        TEXT PRIMARY KEY,
    uninstalled_at INTEGER NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT '', -- "app_uninstalled", "tokens_revoked", "token_revoked"
    erased_at      INTEGER NOT NULL DEFAULT 0 -- when the grace period's purge ran
);
