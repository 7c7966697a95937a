-- The audit log (CONTRACT §8): one row per authentication event, never a secret. Written in batches by the
-- gateway, read newest first with keyset pagination on (occurred_at, id), deleted by age in bounded batches.
-- No foreign key to users: events outlive the users they name, and an insert must never wait on a user's lock.
CREATE TABLE audit_log (
    id          UUID        PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    event       TEXT        NOT NULL,
    outcome     TEXT        NOT NULL,
    user_id     BIGINT,
    key_id      TEXT,
    key_hint    TEXT,
    client_ip   TEXT,
    user_agent  TEXT,
    request_id  TEXT,
    method      TEXT,
    path        TEXT,
    detail      JSONB       NOT NULL DEFAULT '{}'
);

-- Every page is "ORDER BY occurred_at DESC, id DESC LIMIT n" after an optional (occurred_at, id) < cursor; each
-- index below serves one filter shape with a backward index scan that stops after n rows, and the first one also
-- serves the retention delete (occurred_at < cutoff).
CREATE INDEX audit_log_time_idx ON audit_log (occurred_at, id);
CREATE INDEX audit_log_event_time_idx ON audit_log (event, occurred_at, id);
CREATE INDEX audit_log_user_time_idx ON audit_log (user_id, occurred_at, id) WHERE user_id IS NOT NULL;
