-- External inputs of the Decision 766 index: what a unit declares for a
-- month that the engine cannot count (procedures published on time,
-- dossiers synchronized to the national portal, PAKN, use of the
-- population database…). Append-only: each write is the next `version` of
-- its (unit, month); the highest is in force and the earlier ones are kept
-- for the audit. `province` is the first segment of `unit`; `inputs` is the
-- JSON of `ExternalInputs`; `entered_at` is RFC 3339 UTC with microseconds.
CREATE TABLE report_inputs (
    province   TEXT NOT NULL,
    unit       TEXT NOT NULL,
    month      TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    version    INTEGER NOT NULL CHECK (version >= 1),
    inputs     TEXT NOT NULL CHECK (json_valid(inputs)),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    note       TEXT,
    CONSTRAINT report_inputs_pk PRIMARY KEY (unit, month, version)
) WITHOUT ROWID;
CREATE INDEX report_inputs_province_idx ON report_inputs (province, month);

CREATE TRIGGER report_inputs_no_update BEFORE UPDATE ON report_inputs
BEGIN
    SELECT RAISE(ABORT, 'report_inputs is append-only');
END;
CREATE TRIGGER report_inputs_no_delete BEFORE DELETE ON report_inputs
BEGIN
    SELECT RAISE(ABORT, 'report_inputs is append-only');
END;
