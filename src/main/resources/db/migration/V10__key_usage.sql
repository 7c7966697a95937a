-- Usage per API key (CONTRACT §12): requests allowed, refused and limited per key and minute, and the same per hour.
-- Each replica counts in memory and adds its counts in one statement per flush to both tables ("ON CONFLICT DO
-- UPDATE SET allowed = allowed + EXCLUDED.allowed ..."), so the flushes of several replicas merge and an hour row is
-- always the sum of its minute rows. Minute rows are kept for a short time (the 1 h window reads them), hour rows for
-- s4e.usage.retention; both are deleted by age (the minute/hour index serves the delete).
CREATE TABLE usage_minutes (
    key_id  TEXT        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    minute  TIMESTAMPTZ NOT NULL,
    allowed BIGINT      NOT NULL DEFAULT 0,
    refused BIGINT      NOT NULL DEFAULT 0,
    limited BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, minute)
);
CREATE INDEX usage_minutes_minute_idx ON usage_minutes (minute);

CREATE TABLE usage_hours (
    key_id  TEXT        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    hour    TIMESTAMPTZ NOT NULL,
    allowed BIGINT      NOT NULL DEFAULT 0,
    refused BIGINT      NOT NULL DEFAULT 0,
    limited BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, hour)
);
CREATE INDEX usage_hours_hour_idx ON usage_hours (hour);

-- The security overview sums refusal rows by time and by source; this index serves its time range over one event.
CREATE INDEX IF NOT EXISTS audit_log_refused_time_idx ON audit_log (occurred_at) WHERE event = 'request.refused';
