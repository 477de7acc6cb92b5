-- The pace of each Web API method the send queue calls, shared by every
-- replica of the app that sends from this database (issue 14). Slack limits
-- an app per method and workspace, not per process, so with
-- schedule.Config.SharedPace on, the token bucket, a 429's pause and the
-- adaptive rate live here rather than in each process's memory. A sender
-- reads its method's row, runs package schedule's limiter and pacer on it and
-- writes it back, in one short transaction (store/pace.go), for each token it
-- takes. Times are unix milliseconds, 0 for none.
CREATE TABLE send_pace (
    method       TEXT PRIMARY KEY,
    -- The token bucket: rate calls a second, up to burst; tokens were in it
    -- at counted_at. counted_at only moves forward, whichever replica's clock
    -- writes, so a replica whose clock lags never refills it twice: this is
    -- GCRA, whose next free slot is counted_at + (1 - tokens) / rate. A rate
    -- of 0 is a row no sender has written yet.
    rate         REAL NOT NULL DEFAULT 0,
    burst        REAL NOT NULL DEFAULT 0,
    tokens       REAL NOT NULL DEFAULT 0,
    counted_at   INTEGER NOT NULL DEFAULT 0,
    -- The end of a 429's Retry-After: no replica calls the method before.
    paused_until INTEGER NOT NULL DEFAULT 0,
    -- The pacer (schedule/pace.go), for chat.postMessage: slow start until the
    -- first 429, whether a send waited for the rate since the last raise,
    -- when the rate last rose and when the last 429 came.
    slow         INTEGER NOT NULL DEFAULT 1,
    wanted       INTEGER NOT NULL DEFAULT 0,
    last_raise   INTEGER NOT NULL DEFAULT 0,
    last_429     INTEGER NOT NULL DEFAULT 0
);
