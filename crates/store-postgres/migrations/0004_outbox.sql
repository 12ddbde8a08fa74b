-- Notifications to the applicant: their contact details (kept out of the
-- hash-chained event log so that they stay correctable and erasable) and
-- the transactional outbox, written in the transaction of the event it
-- announces.
--
-- Distribution: `applicant_contacts` is keyed by the dossier code like
-- `dossiers` and can be colocated with it. The outbox is a small, hot
-- queue of recent rows (sent rows can be purged); senders claim from it
-- with `FOR UPDATE SKIP LOCKED`.

CREATE TABLE applicant_contacts (
    dossier    TEXT COLLATE "C" NOT NULL,
    email      TEXT,
    -- E.164, e.g. +84912345678.
    phone      TEXT,
    language   TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT applicant_contacts_pk PRIMARY KEY (dossier)
);

CREATE TABLE notification_outbox (
    -- 32 hex digits derived from (dedup_key, channel, created_at): the
    -- e-mail Message-ID and the SMS client reference.
    id              TEXT COLLATE "C" NOT NULL,
    -- `<dossier>#<seq>` for an event's notification; the caller's key
    -- otherwise (reminders).
    dedup_key       TEXT NOT NULL,
    dossier         TEXT COLLATE "C",
    event_seq       BIGINT CHECK (event_seq >= 0),
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    -- Template variables.
    payload         JSONB NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    -- Claims so far; the number of the current claim is its lease token.
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- Due time; while claimed, the end of the lease.
    next_attempt_at TIMESTAMPTZ NOT NULL,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    CONSTRAINT notification_outbox_pk PRIMARY KEY (id),
    CONSTRAINT notification_outbox_dedup UNIQUE (dedup_key, channel)
);
-- What the delivery worker scans: only pending rows, by due time.
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at, channel)
    WHERE status = 'pending';
CREATE INDEX notification_outbox_dossier_idx ON notification_outbox (dossier, created_at);
