-- Dossiers: the procedure catalogue, the event log (insert-only, hash-chained
-- per dossier), its projection, the daily code sequences and the
-- idempotency keys.
--
-- Distribution: `dossiers` and `dossier_events` are keyed by the dossier
-- code, so both can be distributed (Citus) or hash-partitioned by it with
-- a dossier's projection and events colocated; `dossiers.province_code`
-- (first segment of the receiving unit id) is the key for partitioning the
-- projection by province. Codes use the "C" collation: their byte order is
-- the order of `DossierCode` (event_streams pages by it).

CREATE TABLE procedures (
    code            TEXT COLLATE "C" NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    effective_from  DATE NOT NULL,
    effective_until DATE,
    name_vi         TEXT NOT NULL,
    -- The procedure as JSON (the catalogue format).
    body            JSONB NOT NULL,
    CONSTRAINT procedures_pk PRIMARY KEY (code, version)
);

-- The projection: one row per dossier, rewritten by each command.
CREATE TABLE dossiers (
    code              TEXT COLLATE "C" NOT NULL,
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
    status            SMALLINT NOT NULL CHECK (status BETWEEN 1 AND 10),
    step_role         TEXT,
    holder_unit       TEXT,
    assignee          TEXT,
    submitted_at      TIMESTAMPTZ NOT NULL,
    due               TIMESTAMPTZ,
    version           BIGINT NOT NULL CHECK (version >= 1),
    -- The serialized DossierState.
    state             JSONB NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT dossiers_pk PRIMARY KEY (code)
);
CREATE INDEX dossiers_queue_idx ON dossiers (holder_unit, step_role, status, due);
CREATE INDEX dossiers_receiving_idx ON dossiers (receiving_unit, submitted_at);
CREATE INDEX dossiers_competent_idx ON dossiers (competent_unit, submitted_at);
CREATE INDEX dossiers_submitted_idx ON dossiers (submitted_at);
CREATE INDEX dossiers_procedure_idx ON dossiers (procedure_code, submitted_at);
CREATE INDEX dossiers_province_idx ON dossiers (province_code, status);

-- The record. `body` is exactly the canonical bytes of the event, `hash`
-- = SHA-256(previous hash || body); the other columns are copies for
-- querying. Insert-only.
CREATE TABLE dossier_events (
    dossier    TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL CHECK (seq >= 0),
    type       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    actor_role TEXT NOT NULL,
    actor_user TEXT NOT NULL,
    actor_unit TEXT,
    body       TEXT NOT NULL,
    hash       BYTEA NOT NULL CHECK (octet_length(hash) = 32),
    CONSTRAINT dossier_events_pk PRIMARY KEY (dossier, seq)
);

CREATE FUNCTION dossier_events_insert_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dossier_events is insert-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER dossier_events_no_change BEFORE UPDATE OR DELETE ON dossier_events
    FOR EACH ROW EXECUTE FUNCTION dossier_events_insert_only();
CREATE TRIGGER dossier_events_no_truncate BEFORE TRUNCATE ON dossier_events
    FOR EACH STATEMENT EXECUTE FUNCTION dossier_events_insert_only();

-- The last sequence number of the dossier codes of a unit on a Vietnam day.
CREATE TABLE dossier_sequences (
    unit TEXT NOT NULL,
    day  DATE NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 1),
    CONSTRAINT dossier_sequences_pk PRIMARY KEY (unit, day)
);

-- Idempotency-Key: the first answer to a (user, key), kept with the
-- fingerprint of the request it answered. The row is claimed first in the
-- command's transaction (so a concurrent retry waits for the first), and
-- `response` is filled in before commit.
CREATE TABLE idempotency_keys (
    user_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    dossier     TEXT,
    response    JSONB,
    created_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (user_id, key)
);
