-- Dossiers: the procedure catalogue, the event log (insert-only, hash-chained
-- per dossier), its projection, the daily code sequences and the
-- idempotency keys. Timestamps are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`
-- (microseconds, as events carry them; the text sorts in time order);
-- dates are `YYYY-MM-DD`.

CREATE TABLE procedures (
    code            TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    effective_from  TEXT NOT NULL,
    effective_until TEXT,
    name_vi         TEXT NOT NULL,
    -- The procedure as JSON (the catalogue format).
    body            TEXT NOT NULL,
    CONSTRAINT procedures_pk PRIMARY KEY (code, version)
);

-- The projection: one row per dossier, rewritten by each command.
CREATE TABLE dossiers (
    code              TEXT NOT NULL,
    -- First segment of the receiving unit id: the distribution key.
    province_code     TEXT NOT NULL,
    receiving_unit    TEXT NOT NULL,
    competent_unit    TEXT NOT NULL,
    procedure_code    TEXT NOT NULL,
    procedure_version INTEGER NOT NULL,
    procedure_name    TEXT NOT NULL,
    applicant_name    TEXT NOT NULL,
    -- Lower-cased applicant name, for case-insensitive search.
    applicant_fold    TEXT NOT NULL,
    -- National portal status 1-10.
    status            INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    step_role         TEXT,
    holder_unit       TEXT,
    assignee          TEXT,
    submitted_at      TEXT NOT NULL,
    due               TEXT,
    version           INTEGER NOT NULL CHECK (version >= 1),
    -- The serialized DossierState.
    state             TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CONSTRAINT dossiers_pk PRIMARY KEY (code)
);
CREATE INDEX dossiers_queue_idx ON dossiers (holder_unit, step_role, status, due);
CREATE INDEX dossiers_receiving_idx ON dossiers (receiving_unit, submitted_at);
CREATE INDEX dossiers_competent_idx ON dossiers (competent_unit, submitted_at);
CREATE INDEX dossiers_submitted_idx ON dossiers (submitted_at);
CREATE INDEX dossiers_procedure_idx ON dossiers (procedure_code, submitted_at);
CREATE INDEX dossiers_province_idx ON dossiers (province_code, status);

-- The record. `body` is exactly the canonical bytes of the event, `hash`
-- = SHA-256(previous hash || body) in lowercase hex; the other columns are
-- copies for querying. Insert-only.
CREATE TABLE dossier_events (
    dossier    TEXT NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    type       TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_user TEXT NOT NULL,
    actor_unit TEXT,
    body       TEXT NOT NULL,
    hash       TEXT NOT NULL CHECK (length(hash) = 64),
    CONSTRAINT dossier_events_pk PRIMARY KEY (dossier, seq)
);
CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is insert-only');
END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is insert-only');
END;

-- The last sequence number of the dossier codes of a unit on a Vietnam day.
CREATE TABLE dossier_sequences (
    unit TEXT NOT NULL,
    day  TEXT NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 1),
    CONSTRAINT dossier_sequences_pk PRIMARY KEY (unit, day)
) WITHOUT ROWID;

-- Idempotency-Key: the first answer to a (user, key), kept with the
-- fingerprint of the request it answered.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    dossier     TEXT NOT NULL,
    response    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (user_id, key)
);
