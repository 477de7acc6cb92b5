-- weeks_off holds the weeks in which a member got no weekly question because
-- they were off: 'away', when their Slack status said so at their slot (the
-- send queue read it from users.info and held the question), or 'paused',
-- when their slot passed during a pause. Neither kind of week is ever counted
-- as missed, and the Home tab's streak leaves both out. told_at is when the
-- member was told, in their next weekly question, which away weeks Ladder
-- held; 0 until then. Only the week is kept, never the status's words.
CREATE TABLE weeks_off (
    user_id    TEXT NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    week       TEXT NOT NULL, -- ISO week in the member's zone, '2026-W47'
    reason     TEXT NOT NULL CHECK (reason IN ('away', 'paused')),
    created_at INTEGER NOT NULL,
    told_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, week)
);

-- away_status is what the daily zone read (users.info) last saw of a
-- member's Slack status: whether it says they are away (ladder.Away, without
-- its expiration) and until when (its status_expiration; 0: no end). The
-- send queue reads it, rather than waiting, when users.info's budget is spent
-- in a large fan-out. Only the verdict is kept, never the status's words.
CREATE TABLE away_status (
    user_id    TEXT PRIMARY KEY REFERENCES members (user_id) ON DELETE CASCADE,
    away       INTEGER NOT NULL,
    until      INTEGER NOT NULL DEFAULT 0,
    checked_at INTEGER NOT NULL
);
