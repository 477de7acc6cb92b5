-- Times are INTEGER unix milliseconds in UTC; 0 stands for "never" (the zero time).
-- Booleans are INTEGER 0 or 1.

CREATE TABLE members (
    user_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    tz           TEXT NOT NULL DEFAULT '',
    level        TEXT NOT NULL,
    target       TEXT NOT NULL,
    level_since  TEXT NOT NULL DEFAULT '',  -- 'YYYY-MM' or ''
    track        TEXT NOT NULL DEFAULT '',
    slot_on      INTEGER NOT NULL DEFAULT 0,
    slot_day     INTEGER NOT NULL DEFAULT 0, -- time.Weekday, Sunday = 0
    slot_minute  INTEGER NOT NULL DEFAULT 0, -- minutes after local midnight
    paused_until INTEGER NOT NULL DEFAULT 0,
    manager      TEXT NOT NULL DEFAULT '',
    share        TEXT NOT NULL DEFAULT '',
    enrolled_at  INTEGER NOT NULL
);
CREATE INDEX members_manager ON members (manager);

CREATE TABLE evidence (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    area       TEXT NOT NULL DEFAULT '', -- '' while unprompted evidence awaits its area
    prompt_id  TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    truncated  INTEGER NOT NULL DEFAULT 0,
    channel    TEXT NOT NULL,
    ts         TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (channel, ts)
);
CREATE INDEX evidence_user_created ON evidence (user_id, created_at);

CREATE TABLE prompts_sent (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    prompt_id   TEXT NOT NULL,
    week        TEXT NOT NULL, -- ISO week, '2026-W47'
    kind        TEXT NOT NULL CHECK (kind IN ('weekly', 'ondemand')),
    created_at  INTEGER NOT NULL,
    channel     TEXT NOT NULL DEFAULT '', -- set once posted
    ts          TEXT NOT NULL DEFAULT '',
    skipped     INTEGER NOT NULL DEFAULT 0,
    reminded_at INTEGER NOT NULL DEFAULT 0
);
-- One weekly prompt per member per ISO week, however often the scheduler runs.
CREATE UNIQUE INDEX prompts_sent_weekly ON prompts_sent (user_id, week) WHERE kind = 'weekly';
CREATE INDEX prompts_sent_user_created ON prompts_sent (user_id, created_at);
CREATE INDEX prompts_sent_message ON prompts_sent (channel, ts) WHERE ts != '';

-- Slack retries events whose ack was late; an event id seen once is not handled again.
CREATE TABLE events_seen (
    event_id TEXT PRIMARY KEY,
    seen_at  INTEGER NOT NULL
);
CREATE INDEX events_seen_at ON events_seen (seen_at);

-- One digest per manager per month. Digest bodies are never stored, so that
-- forget leaves no copy of anyone's evidence.
CREATE TABLE digests_sent (
    manager    TEXT NOT NULL,
    month      TEXT NOT NULL, -- '2026-11'
    claimed_at INTEGER NOT NULL,
    sent_at    INTEGER NOT NULL DEFAULT 0,
    channel    TEXT NOT NULL DEFAULT '',
    ts         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (manager, month)
);
