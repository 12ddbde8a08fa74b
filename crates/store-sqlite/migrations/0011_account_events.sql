-- Account administration: the last activity of a session (for the idle
-- timeout; written at most once a minute while the session is in use) and
-- the append-only history of every change to an official's account.

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_idle_idx ON sessions (subject_kind, last_seen_at);

CREATE TABLE account_events (
    -- The rowid: rows are never deleted, so it only grows.
    seq        INTEGER NOT NULL CONSTRAINT account_events_pk PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES officials (username),
    kind       TEXT NOT NULL CHECK (kind IN ('created', 'roles_granted', 'role_revoked',
                   'deactivated', 'reactivated', 'password_changed')),
    -- Who made the change (an official's user id); NULL for the system.
    actor      TEXT,
    -- The roles concerned, JSON `[{"role": …, "unit": …}]`.
    roles      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    at         TEXT NOT NULL
);
CREATE INDEX account_events_username_idx ON account_events (username, seq);
CREATE TRIGGER account_events_no_update BEFORE UPDATE ON account_events
BEGIN
    SELECT RAISE(ABORT, 'account_events is insert-only');
END;
CREATE TRIGGER account_events_no_delete BEFORE DELETE ON account_events
BEGIN
    SELECT RAISE(ABORT, 'account_events is insert-only');
END;
