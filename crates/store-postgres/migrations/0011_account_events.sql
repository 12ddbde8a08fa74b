-- Account administration: the last activity of a session (for the idle
-- timeout; written at most once a minute while the session is in use) and
-- the append-only history of every change to an official's account.
--
-- Distribution: account events are few and follow `officials` (a small
-- reference table); they are read by username.

ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE INDEX sessions_idle_idx ON sessions (subject_kind, last_seen_at);

CREATE TABLE account_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY,
    username   TEXT COLLATE "C" NOT NULL REFERENCES officials (username),
    kind       TEXT NOT NULL CHECK (kind IN ('created', 'roles_granted', 'role_revoked',
                   'deactivated', 'reactivated', 'password_changed')),
    -- Who made the change (an official's user id); NULL for the system.
    actor      TEXT COLLATE "C",
    -- The roles concerned, `[{"role": …, "unit": …}]`.
    roles      JSONB NOT NULL DEFAULT '[]',
    at         TIMESTAMPTZ NOT NULL,
    CONSTRAINT account_events_pk PRIMARY KEY (seq)
);
CREATE INDEX account_events_username_idx ON account_events (username, seq);

CREATE FUNCTION account_events_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'account_events is insert-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER account_events_no_change BEFORE UPDATE OR DELETE ON account_events
    FOR EACH ROW EXECUTE FUNCTION account_events_insert_only();
CREATE TRIGGER account_events_no_truncate BEFORE TRUNCATE ON account_events
    FOR EACH STATEMENT EXECUTE FUNCTION account_events_insert_only();
