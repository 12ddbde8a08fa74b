-- Accounts and access: officials and their role assignments, database
-- sessions (only the SHA-256 of a token is kept), the failure record behind
-- login lockout, citizens' accounts and their one-time codes. Timestamps
-- are UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`, as in 0002.

CREATE TABLE officials (
    username      TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    -- argon2 PHC string.
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT officials_pk PRIMARY KEY (username)
);

-- A role held at a unit; `province_code` (first segment of the unit id) is
-- the distribution key.
CREATE TABLE official_roles (
    username      TEXT NOT NULL REFERENCES officials (username) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('receiving_officer', 'specialist',
                      'department_head', 'leader', 'clerical', 'unit_admin',
                      'province_admin', 'inspector')),
    unit          TEXT NOT NULL,
    province_code TEXT NOT NULL,
    CONSTRAINT official_roles_pk PRIMARY KEY (username, role, unit)
) WITHOUT ROWID;
CREATE INDEX official_roles_unit_idx ON official_roles (unit, role);

CREATE TABLE sessions (
    -- SHA-256 of the session token, lowercase hex.
    token_hash   TEXT NOT NULL CHECK (length(token_hash) = 64),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('official', 'citizen')),
    subject      TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    CONSTRAINT sessions_pk PRIMARY KEY (token_hash)
) WITHOUT ROWID;
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
CREATE INDEX sessions_subject_idx ON sessions (subject_kind, subject);

-- Failures per key (`login:<username>`, `otp:<contact>`), kept for unknown
-- usernames too so that the answer does not tell whether an account exists.
CREATE TABLE login_throttle (
    key             TEXT NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TEXT,
    locked_until    TEXT,
    CONSTRAINT login_throttle_pk PRIMARY KEY (key)
) WITHOUT ROWID;

CREATE TABLE citizens (
    id         TEXT NOT NULL,
    -- `phone:+84…` or `email:…`.
    contact    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT citizens_pk PRIMARY KEY (id),
    CONSTRAINT citizens_contact_key UNIQUE (contact)
);

-- At most one pending code per contact.
CREATE TABLE otp_challenges (
    contact       TEXT NOT NULL,
    code_hash     TEXT NOT NULL CHECK (length(code_hash) = 64),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    attempts_left INTEGER NOT NULL CHECK (attempts_left >= 0),
    CONSTRAINT otp_challenges_pk PRIMARY KEY (contact)
) WITHOUT ROWID;

-- A citizen's own dossiers: the portal account of the applicant.
CREATE INDEX dossiers_applicant_user_idx
    ON dossiers (json_extract(state, '$.dossier.applicant.user'));
