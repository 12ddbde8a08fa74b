-- Notifications to the applicant: their contact details (kept out of the
-- hash-chained event log so that they stay correctable and erasable) and
-- the transactional outbox, written in the transaction of the event it
-- announces. Timestamps are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

CREATE TABLE applicant_contacts (
    dossier    TEXT NOT NULL,
    email      TEXT,
    -- E.164, e.g. +84912345678.
    phone      TEXT,
    language   TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    updated_at TEXT NOT NULL,
    CONSTRAINT applicant_contacts_pk PRIMARY KEY (dossier)
) WITHOUT ROWID;

CREATE TABLE notification_outbox (
    -- 32 hex digits derived from (dedup_key, channel, created_at): the
    -- e-mail Message-ID and the SMS client reference.
    id              TEXT NOT NULL,
    -- `<dossier>#<seq>` for an event's notification; the caller's key
    -- otherwise (reminders).
    dedup_key       TEXT NOT NULL,
    dossier         TEXT,
    event_seq       INTEGER CHECK (event_seq >= 0),
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    -- Template variables (JSON).
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    -- Claims so far; the number of the current claim is its lease token.
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Due time; while claimed, the end of the lease.
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    CONSTRAINT notification_outbox_pk PRIMARY KEY (id),
    CONSTRAINT notification_outbox_dedup UNIQUE (dedup_key, channel)
);
-- What the delivery worker scans: only pending rows, by due time.
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at, channel)
    WHERE status = 'pending';
CREATE INDEX notification_outbox_dossier_idx ON notification_outbox (dossier, created_at);
