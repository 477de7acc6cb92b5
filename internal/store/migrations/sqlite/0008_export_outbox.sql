-- A member's promotion packet (/ladder export) goes through the outbox like
-- every other post: one row per message of the packet, kind 'export', with
-- its place in the packet in part. The row still holds references only; the
-- part is rendered from the member's evidence when it is sent, so forget
-- leaves no copy here, and the member_id cascade drops what is left to send.
-- ClaimOutbox sends a member's export rows one at a time, in id order.
--
-- SQLite cannot change a CHECK constraint, so the table is rebuilt
-- (sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
-- Changes"). Nothing references outbox. The triggers that delete from it
-- (members_forget_schedule) live on other tables and name it only when they
-- run; legacy_alter_table keeps the rename from checking them while outbox is
-- briefly gone, and from rewriting them. A migration that adds a column to
-- outbox before this one must add it here too.
PRAGMA legacy_alter_table = ON;
CREATE TABLE outbox_next (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE, -- 'prompt:U1:2026-W47', 'reminder:42', 'digest:M1:2026-11', 'export:U1:<random>:3'
    kind        TEXT NOT NULL CHECK (kind IN ('prompt', 'reminder', 'digest', 'export')),
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
    -- An export row's message of the packet, from 1; 0 for other kinds.
    part        INTEGER NOT NULL DEFAULT 0
);
INSERT INTO outbox_next (id, key, kind, method, user_id, member_id, prompt_ref, period, tz, state,
    unsure, attempts, due_at, expires_at, claimed_at, lease_until, claim_token, done_at, channel, ts,
    last_error, created_at)
SELECT id, key, kind, method, user_id, member_id, prompt_ref, period, tz, state,
    unsure, attempts, due_at, expires_at, claimed_at, lease_until, claim_token, done_at, channel, ts,
    last_error, created_at
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_next RENAME TO outbox;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX outbox_pending ON outbox (method, due_at) WHERE state = 'pending';
CREATE INDEX outbox_sending ON outbox (method, lease_until) WHERE state = 'sending';
CREATE INDEX outbox_done ON outbox (done_at) WHERE state IN ('sent', 'failed', 'dropped');
CREATE INDEX outbox_member ON outbox (member_id);
CREATE INDEX outbox_prompt_ref ON outbox (prompt_ref);
CREATE INDEX outbox_user ON outbox (user_id);
-- The export rows still to send, by member: what holds back a member's next part.
CREATE INDEX outbox_export ON outbox (user_id, id) WHERE kind = 'export' AND state IN ('pending', 'sending');
