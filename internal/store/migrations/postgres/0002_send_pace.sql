-- The pace of each Web API method the send queue calls, shared by every
-- replica: the twin of migrations/sqlite/0013_send_pace.sql, whose comments
-- say what each column means. DOUBLE PRECISION, not REAL (4 bytes here), so
-- that the bucket's tokens keep their precision; flags are BIGINT 0/1 as in
-- 0001. A sender locks the row (SELECT … FOR UPDATE) for its read-modify-write.
CREATE TABLE send_pace (
    method       TEXT COLLATE "C" PRIMARY KEY,
    rate         DOUBLE PRECISION NOT NULL DEFAULT 0,
    burst        DOUBLE PRECISION NOT NULL DEFAULT 0,
    tokens       DOUBLE PRECISION NOT NULL DEFAULT 0,
    counted_at   BIGINT NOT NULL DEFAULT 0,
    paused_until BIGINT NOT NULL DEFAULT 0,
    slow         BIGINT NOT NULL DEFAULT 1,
    wanted       BIGINT NOT NULL DEFAULT 0,
    last_raise   BIGINT NOT NULL DEFAULT 0,
    last_429     BIGINT NOT NULL DEFAULT 0
);
