-- External inputs of the Decision 766 index: what a unit declares for a
-- month that the engine cannot count (procedures published on time,
-- dossiers synchronized to the national portal, PAKN, use of the
-- population database…). Append-only: each write is the next `version` of
-- its (unit, month), taken under a transaction-scoped advisory lock of the
-- (unit, month); the highest is in force and the earlier ones are kept for
-- the audit (a trigger refuses UPDATE and DELETE). `province` is the first
-- segment of `unit`: the distribution and partitioning key, first in the
-- filter index. `inputs` is the JSON of `ExternalInputs`.
CREATE TABLE report_inputs (
    province   TEXT COLLATE "C" NOT NULL,
    unit       TEXT COLLATE "C" NOT NULL,
    month      TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    version    INTEGER NOT NULL CHECK (version >= 1),
    inputs     JSONB NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    note       TEXT,
    CONSTRAINT report_inputs_pk PRIMARY KEY (unit, month, version)
);
CREATE INDEX report_inputs_province_idx ON report_inputs (province, month);

CREATE FUNCTION report_inputs_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'report_inputs is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER report_inputs_append_only
    BEFORE UPDATE OR DELETE ON report_inputs
    FOR EACH ROW EXECUTE FUNCTION report_inputs_append_only();
