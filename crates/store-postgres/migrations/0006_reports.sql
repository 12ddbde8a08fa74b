-- Reports (issue 5): the facts of each dossier and the monthly rollups of
-- figures and of workflow steps, maintained in the transaction that
-- records the events they count. Months are `YYYY-MM` (the month of
-- receipt, Vietnam time); `province` is the first segment of the row's
-- unit id (the receiving unit's for the facts): the natural distribution
-- and partitioning key of all three tables, and the first column of their
-- filter indexes. Bodies are JSON (`DossierFacts`, `Rollup`, `StepRollup`);
-- a rollup row whose sum is zero is deleted. Commands lock the rollup rows
-- they change in key order (figures, then steps), so they cannot deadlock.

-- A dossier is counted in the rollups exactly when it has a row here.
CREATE TABLE report_facts (
    code           TEXT COLLATE "C" NOT NULL,
    province       TEXT NOT NULL,
    receiving_unit TEXT NOT NULL,
    competent_unit TEXT NOT NULL,
    procedure      TEXT NOT NULL,
    month          TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    body           JSONB NOT NULL,
    CONSTRAINT report_facts_pk PRIMARY KEY (code)
);
CREATE INDEX report_facts_province_idx ON report_facts (province, month);
CREATE INDEX report_facts_receiving_idx ON report_facts (receiving_unit, month);
CREATE INDEX report_facts_competent_idx ON report_facts (competent_unit, month);

CREATE TABLE report_rollups (
    unit        TEXT COLLATE "C" NOT NULL,
    perspective TEXT NOT NULL CHECK (perspective IN ('receiving', 'competent')),
    procedure   TEXT COLLATE "C" NOT NULL,
    month       TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    province    TEXT NOT NULL,
    body        JSONB NOT NULL,
    CONSTRAINT report_rollups_pk PRIMARY KEY (unit, perspective, procedure, month)
);
CREATE INDEX report_rollups_province_idx ON report_rollups (province, month);
CREATE INDEX report_rollups_unit_idx ON report_rollups (unit, month);

CREATE TABLE report_step_rollups (
    unit      TEXT COLLATE "C" NOT NULL,
    procedure TEXT COLLATE "C" NOT NULL,
    step      INTEGER NOT NULL CHECK (step >= 0),
    kind      TEXT NOT NULL,
    month     TEXT COLLATE "C" NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    province  TEXT NOT NULL,
    body      JSONB NOT NULL,
    CONSTRAINT report_step_rollups_pk PRIMARY KEY (unit, procedure, step, kind, month)
);
CREATE INDEX report_step_rollups_province_idx ON report_step_rollups (province, month);
CREATE INDEX report_step_rollups_unit_idx ON report_step_rollups (unit, month);
