-- Unit registry: versioned unit records and the 2025 merger lineage.
-- province_code is on every row: it is the natural distribution key.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE units (
    level         TEXT NOT NULL,
    code          TEXT NOT NULL,
    era           TEXT NOT NULL,
    unit_type     TEXT NOT NULL,
    name          TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT NOT NULL,
    valid_from    DATE,
    valid_to      DATE,
    CONSTRAINT units_pk PRIMARY KEY (level, code, era)
);
CREATE INDEX units_code_idx ON units (code);
CREATE INDEX units_province_idx ON units (province_code, level);

CREATE TABLE unit_lineage (
    legacy_commune_code  TEXT,
    legacy_district_code TEXT NOT NULL,
    legacy_province_code TEXT NOT NULL,
    new_commune_code     TEXT NOT NULL,
    new_province_code    TEXT NOT NULL,
    split                BOOLEAN NOT NULL,
    is_primary           BOOLEAN NOT NULL
);
CREATE INDEX unit_lineage_new_idx ON unit_lineage (new_commune_code);
CREATE INDEX unit_lineage_legacy_idx ON unit_lineage (legacy_commune_code);
