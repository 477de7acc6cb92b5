-- Every DM Ladder sends goes through the outbox (issue 11), and the outbox has
-- two lanes. Interactive sends (a confirmation, the welcome, a consent
-- request, a question asked for now, a packet) are claimed ahead of bulk ones
-- (weekly prompts, reminders, digests), so that an answer is confirmed within
-- a second or two while a fan-out drains.
--
-- A 'dm' row carries its message, rendered when it was queued, in payload
-- (JSON: text, blocks, thread_ts); payload is emptied once the row is done.
-- member_id is the member the message is about, so that forget drops what is
-- still queued about them. A dm row with prompt_ref is a question asked for
-- now: posting it records the message on that prompts_sent row.
--
-- The table is rebuilt as in 0008, to widen the kind CHECK.
PRAGMA legacy_alter_table = ON;
CREATE TABLE outbox_next (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('prompt', 'reminder', 'digest', 'export', 'dm')),
    method      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    member_id   TEXT REFERENCES members (user_id) ON DELETE CASCADE,
    prompt_ref  INTEGER REFERENCES prompts_sent (id) ON DELETE CASCADE,
    period      TEXT NOT NULL DEFAULT '',
    tz          TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    unsure      INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL DEFAULT 0,
    claimed_at  INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER NOT NULL DEFAULT 0,
    claim_token TEXT NOT NULL DEFAULT '',
    done_at     INTEGER NOT NULL DEFAULT 0,
    channel     TEXT NOT NULL DEFAULT '',
    ts          TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    part        INTEGER NOT NULL DEFAULT 0,
    -- 0: interactive, claimed first; 1: bulk.
    lane        INTEGER NOT NULL DEFAULT 1 CHECK (lane IN (0, 1)),
    payload     TEXT NOT NULL DEFAULT ''
);
INSERT INTO outbox_next (id, key, kind, method, user_id, member_id, prompt_ref, period, tz, state,
    unsure, attempts, due_at, expires_at, claimed_at, lease_until, claim_token, done_at, channel, ts,
    last_error, created_at, part, lane)
SELECT id, key, kind, method, user_id, member_id, prompt_ref, period, tz, state,
    unsure, attempts, due_at, expires_at, claimed_at, lease_until, claim_token, done_at, channel, ts,
    last_error, created_at, part, CASE kind WHEN 'export' THEN 0 ELSE 1 END
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX outbox_pending ON outbox (method, lane, due_at) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (method, lease_until) WHERE state = 'sending';
CREATE INDEX outbox_done ON outbox (done_at) WHERE state IN ('sent', 'failed', 'dropped');
CREATE INDEX outbox_member ON outbox (member_id);
CREATE INDEX outbox_prompt_ref ON outbox (prompt_ref);
CREATE INDEX outbox_user ON outbox (user_id);
CREATE INDEX outbox_export ON outbox (user_id, id) WHERE kind = 'export' AND state IN ('pending', 'sending');
