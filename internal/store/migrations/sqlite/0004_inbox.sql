-- The inbox: every events_api envelope is committed here before Ladder acks
-- it, because Slack never sends an acked event again. A row is done once its
-- event was handled: its payload is cleared then, and the row stays a day as
-- the event's dedupe record (Slack's retries carry the same event_id). Rows
-- not done when the process stopped are replayed at the next start, in id
-- order, which is the order they arrived in. slackapp/inbox.go writes it.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL DEFAULT '', -- the member whose events it is ordered with
    payload     BLOB NOT NULL,            -- the event_callback JSON; empty once done
    received_at INTEGER NOT NULL,
    done_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_pending ON inbox (id) WHERE done_at = 0;
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at != 0;
CREATE INDEX inbox_user ON inbox (user_id) WHERE done_at = 0;

-- The event ids seen before the inbox are its first done rows.
INSERT INTO inbox (event_id, payload, received_at, done_at)
    SELECT event_id, x'', seen_at, max(seen_at, 1) FROM events_seen;
DROP TABLE events_seen;

-- An edit of a message that is not evidence (yet): Slack does not keep the
-- order of an event and its retries, so the message may still come, and is
-- then stored with the edited text. Only a member's edits are kept, and
-- forget takes them with the member. Pruned after a day.
CREATE TABLE early_edits (
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,  -- the edited message
    user_id     TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    truncated   INTEGER NOT NULL DEFAULT 0,
    edit_ts     TEXT NOT NULL,  -- the edit's own ts: the newest edit wins
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel, ts)
);
CREATE INDEX early_edits_received ON early_edits (received_at);
CREATE INDEX early_edits_user ON early_edits (user_id);

-- A message deleted in Slack: it is never stored as evidence, even if its
-- own event (or Slack's retry of it) comes after the deletion. Written when
-- the deletion is received, before it is handled, so that a message still
-- queued behind the member's earlier events is not stored or confirmed.
-- Holds no text. Pruned after a day.
CREATE TABLE deleted_messages (
    channel     TEXT NOT NULL,
    ts          TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel, ts)
);
CREATE INDEX deleted_messages_received ON deleted_messages (received_at);

-- forget deletes the member row; this clears the events of theirs the inbox
-- still holds, so that no copy of their text is left there.
CREATE TRIGGER members_forget_inbox AFTER DELETE ON members
BEGIN
    UPDATE inbox SET payload = x'', done_at = max(received_at, 1)
    WHERE user_id = OLD.user_id AND done_at = 0;
END;
