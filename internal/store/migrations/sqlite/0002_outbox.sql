-- The outbox: every scheduled send (weekly prompt, reminder, digest) is a row.
-- A sender claims a row (state 'sending', attempts + 1) before it posts, and
-- marks it 'sent' with the Slack message after, so nothing is lost across a
-- restart and nothing is posted twice. A row holds references only, never
-- message text: the message is rendered when it is sent, so forget leaves no
-- copy here.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE, -- 'prompt:U1:2026-W47', 'reminder:42', 'digest:M1:2026-11'
    kind        TEXT NOT NULL CHECK (kind IN ('prompt', 'reminder', 'digest')),
    method      TEXT NOT NULL,        -- the Web API method whose budget it spends
    user_id     TEXT NOT NULL,        -- who receives it: a member, or a manager for a digest
    -- The member a prompt or reminder is for; NULL for a digest, whose manager
    -- need not be enrolled. Deleting the member deletes their rows.
    member_id   TEXT REFERENCES members (user_id) ON DELETE CASCADE,
    prompt_ref  INTEGER REFERENCES prompts_sent (id) ON DELETE CASCADE, -- a reminder's prompt
    period      TEXT NOT NULL DEFAULT '', -- a prompt's ISO week, a digest's month
    tz          TEXT NOT NULL DEFAULT '', -- the zone the period is read in
    state       TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    -- 1 when an earlier attempt may have posted (a crash, a timeout, a 5xx):
    -- the next sender looks for the message in Slack before posting again.
    unsure      INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL,           -- not before
    expires_at  INTEGER NOT NULL DEFAULT 0, -- not after: dropped rather than sent late; 0 = never
    claimed_at  INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER NOT NULL DEFAULT 0, -- a 'sending' row past it is claimable again, as unsure
    claim_token TEXT NOT NULL DEFAULT '',
    done_at     INTEGER NOT NULL DEFAULT 0,
    channel     TEXT NOT NULL DEFAULT '',
    ts          TEXT NOT NULL DEFAULT '',
    last_error  TEXT NOT NULL DEFAULT '', -- Slack's error code or ours; never message text
    created_at  INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox (method, due_at) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (method, lease_until) WHERE state = 'sending';
CREATE INDEX outbox_done ON outbox (done_at) WHERE state IN ('sent', 'failed', 'dropped');
CREATE INDEX outbox_member ON outbox (member_id);
CREATE INDEX outbox_prompt_ref ON outbox (prompt_ref);
CREATE INDEX outbox_user ON outbox (user_id);

-- When each member's or manager's timezone was last read from users.info, so
-- that each is refreshed at most once a day, and the zone of managers who are
-- not enrolled themselves.
CREATE TABLE zones (
    user_id    TEXT PRIMARY KEY,
    tz         TEXT NOT NULL DEFAULT '',
    checked_at INTEGER NOT NULL
);

-- A counter bumped by every change that can alter what the scheduler finds
-- due, in this process or another: members, prompts (posted, skipped,
-- reminded), evidence deleted (an answer gone makes a prompt unanswered) and
-- zones. While it stands still, a tick only has to wait for the next slot,
-- reminder or digest it already knows of.
CREATE TABLE schedule_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO schedule_version (id, version) VALUES (1, 0);

CREATE TRIGGER members_insert_version AFTER INSERT ON members
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER members_update_version AFTER UPDATE ON members
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER prompts_insert_version AFTER INSERT ON prompts_sent
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER prompts_update_version AFTER UPDATE ON prompts_sent
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER prompts_delete_version AFTER DELETE ON prompts_sent
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER evidence_delete_version AFTER DELETE ON evidence
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER zones_insert_version AFTER INSERT ON zones
BEGIN UPDATE schedule_version SET version = version + 1; END;
CREATE TRIGGER zones_update_version AFTER UPDATE OF tz ON zones WHEN OLD.tz IS NOT NEW.tz
BEGIN UPDATE schedule_version SET version = version + 1; END;

-- forget deletes the member row; this takes the rows keyed only by user id
-- with it (a digest the forgotten user was to receive as a manager, their zone).
CREATE TRIGGER members_forget_schedule AFTER DELETE ON members
BEGIN
    DELETE FROM outbox WHERE user_id = OLD.user_id;
    DELETE FROM zones WHERE user_id = OLD.user_id;
    UPDATE schedule_version SET version = version + 1;
END;
