-- Appointments at a Center (lịch hẹn) and queue tickets (số thứ tự).
-- Times are RFC 3339 UTC text like the other tables; days are YYYY-MM-DD
-- in Vietnam time.

CREATE TABLE center_configs (
    unit           TEXT NOT NULL,
    province       TEXT NOT NULL,
    counters       INTEGER NOT NULL CHECK (counters BETWEEN 1 AND 99),
    slot_minutes   INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    capacity       INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND counters),
    reminder_hours INTEGER NOT NULL CHECK (reminder_hours BETWEEN 0 AND 168),
    horizon_days   INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 366),
    updated_at     TEXT NOT NULL,
    CONSTRAINT center_configs_pk PRIMARY KEY (unit)
);

CREATE TABLE bookings (
    code       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    province   TEXT NOT NULL,
    procedure  TEXT NOT NULL,
    slot_start TEXT NOT NULL,
    slot_end   TEXT NOT NULL,
    -- 1..capacity while the booking holds a seat; NULL once cancelled.
    seat       INTEGER CHECK (seat >= 1),
    name       TEXT NOT NULL,
    email      TEXT,
    phone      TEXT,
    language   TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    account    TEXT,
    status     TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT bookings_pk PRIMARY KEY (code)
);
CREATE UNIQUE INDEX bookings_seat_unique ON bookings (unit, slot_start, seat);
CREATE INDEX bookings_account_idx ON bookings (account) WHERE account IS NOT NULL;

CREATE TABLE queue_ticket_sequences (
    unit TEXT NOT NULL,
    day  TEXT NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 1),
    CONSTRAINT queue_ticket_sequences_pk PRIMARY KEY (unit, day)
);

CREATE TABLE queue_tickets (
    unit        TEXT NOT NULL,
    day         TEXT NOT NULL,
    number      INTEGER NOT NULL CHECK (number >= 1),
    province    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('walk_in', 'appointment')),
    booking     TEXT REFERENCES bookings (code),
    procedure   TEXT,
    slot_start  TEXT,
    status      TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'serving', 'done', 'skipped')),
    counter     INTEGER CHECK (counter >= 1),
    created_at  TEXT NOT NULL,
    called_at   TEXT,
    finished_at TEXT,
    CONSTRAINT queue_tickets_pk PRIMARY KEY (unit, day, number)
);
CREATE UNIQUE INDEX queue_tickets_booking_unique ON queue_tickets (booking) WHERE booking IS NOT NULL;
CREATE INDEX queue_tickets_waiting_idx ON queue_tickets (unit, day, status);
