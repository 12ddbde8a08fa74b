-- Accounts and access: officials and their role assignments, database
-- sessions (only the SHA-256 of a token is kept), the failure record behind
-- login lockout, citizens' accounts and their one-time codes.
--
-- Distribution: officials and their roles are small reference tables;
-- `official_roles.province_code` lets them be partitioned by province.
-- Sessions, throttles and codes are keyed by a hash or a contact and
-- distribute by that key.

CREATE TABLE officials (
    username      TEXT COLLATE "C" NOT NULL,
    display_name  TEXT NOT NULL,
    -- argon2 PHC string.
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT officials_pk PRIMARY KEY (username)
);

CREATE TABLE official_roles (
    username      TEXT COLLATE "C" NOT NULL
                  REFERENCES officials (username) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('receiving_officer', 'specialist',
                      'department_head', 'leader', 'clerical', 'unit_admin',
                      'province_admin', 'inspector')),
    unit          TEXT COLLATE "C" NOT NULL,
    province_code TEXT COLLATE "C" NOT NULL,
    CONSTRAINT official_roles_pk PRIMARY KEY (username, role, unit)
);
CREATE INDEX official_roles_unit_idx ON official_roles (unit, role);

CREATE TABLE sessions (
    -- SHA-256 of the session token.
    token_hash   BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('official', 'citizen')),
    subject      TEXT COLLATE "C" NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_pk PRIMARY KEY (token_hash)
);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);
CREATE INDEX sessions_subject_idx ON sessions (subject_kind, subject);

-- Failures per key (`login:<username>`, `otp:<contact>`), kept for unknown
-- usernames too so that the answer does not tell whether an account exists.
CREATE TABLE login_throttle (
    key             TEXT COLLATE "C" NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TIMESTAMPTZ,
    locked_until    TIMESTAMPTZ,
    CONSTRAINT login_throttle_pk PRIMARY KEY (key)
);

CREATE TABLE citizens (
    id         TEXT COLLATE "C" NOT NULL,
    -- `phone:+84…` or `email:…`.
    contact    TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT citizens_pk PRIMARY KEY (id),
    CONSTRAINT citizens_contact_key UNIQUE (contact)
);

-- At most one pending code per contact.
CREATE TABLE otp_challenges (
    contact       TEXT COLLATE "C" NOT NULL,
    code_hash     TEXT NOT NULL CHECK (length(code_hash) = 64),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    attempts_left INTEGER NOT NULL CHECK (attempts_left >= 0),
    CONSTRAINT otp_challenges_pk PRIMARY KEY (contact)
);

-- A citizen's own dossiers: the portal account of the applicant.
CREATE INDEX dossiers_applicant_user_idx
    ON dossiers ((state -> 'dossier' -> 'applicant' ->> 'user'));
