-- Hashes of the secrets that s4e.bootstrap.admin-api-key has turned into keys. A restart never creates a key for a
-- secret listed here again, so a bootstrap key that was rotated away stays gone.
CREATE TABLE bootstrap_keys (
    key_hash   CHAR(64)    PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO bootstrap_keys (key_hash)
SELECT key_hash FROM api_keys WHERE name = 'bootstrap admin key'
UNION
SELECT previous_hash FROM api_keys WHERE name = 'bootstrap admin key' AND previous_hash IS NOT NULL;
