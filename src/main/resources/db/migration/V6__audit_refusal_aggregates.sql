-- Refused requests are recorded as aggregates (CONTRACT §8): one row per (client IP, status and code, principal or
-- key hint, path) and window on each replica, written when the first refusal happens and updated with the final
-- count when the window closes. count is 1 for every other event; old rows get it from the default without a
-- rewrite of the table. first_at and last_at stay null on rows written before this migration: readers take
-- occurred_at for both.
ALTER TABLE audit_log ADD COLUMN count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN first_at TIMESTAMPTZ;
ALTER TABLE audit_log ADD COLUMN last_at TIMESTAMPTZ;
