-- The weeks a member was off: the twin of migrations/sqlite/0016_away.sql,
-- whose comments say what each column means.
CREATE TABLE weeks_off (
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
    week       TEXT COLLATE "C" NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL CHECK (reason IN ('away', 'paused')),
    created_at BIGINT NOT NULL,
    told_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, week)
);

CREATE TABLE away_status (
    user_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES members (user_id) ON DELETE CASCADE,
    away       BIGINT NOT NULL,
    until      BIGINT NOT NULL DEFAULT 0,
    checked_at BIGINT NOT NULL
);
