-- Appointments at a Center (lịch hẹn) and queue tickets (số thứ tự).
--
-- Distribution: every table carries the province, the natural
-- distribution key; a Center's rows stay together.
-- Capacity: bookers of one slot lock its row in appointment_slots (created
-- on first use), then take a free seat; bookings_seat_unique backs it.

CREATE TABLE center_configs (
    unit           TEXT COLLATE "C" NOT NULL,
    province       TEXT COLLATE "C" NOT NULL,
    counters       SMALLINT NOT NULL CHECK (counters BETWEEN 1 AND 99),
    slot_minutes   SMALLINT NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    capacity       SMALLINT NOT NULL CHECK (capacity BETWEEN 1 AND counters),
    reminder_hours SMALLINT NOT NULL CHECK (reminder_hours BETWEEN 0 AND 168),
    horizon_days   SMALLINT NOT NULL CHECK (horizon_days BETWEEN 1 AND 366),
    updated_at     TIMESTAMPTZ NOT NULL,
    CONSTRAINT center_configs_pk PRIMARY KEY (unit)
);

CREATE TABLE appointment_slots (
    unit       TEXT COLLATE "C" NOT NULL,
    slot_start TIMESTAMPTZ NOT NULL,
    province   TEXT COLLATE "C" NOT NULL,
    CONSTRAINT appointment_slots_pk PRIMARY KEY (unit, slot_start)
);

CREATE TABLE bookings (
    code       TEXT COLLATE "C" NOT NULL,
    unit       TEXT COLLATE "C" NOT NULL,
    province   TEXT COLLATE "C" NOT NULL,
    procedure  TEXT NOT NULL,
    slot_start TIMESTAMPTZ NOT NULL,
    slot_end   TIMESTAMPTZ NOT NULL,
    -- 1..capacity while the booking holds a seat; NULL once cancelled.
    seat       SMALLINT CHECK (seat >= 1),
    name       TEXT NOT NULL,
    email      TEXT,
    phone      TEXT,
    language   TEXT NOT NULL CHECK (language IN ('vi', 'en')),
    account    TEXT,
    status     TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'checked_in', 'no_show')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT bookings_pk PRIMARY KEY (code)
);
CREATE UNIQUE INDEX bookings_seat_unique ON bookings (unit, slot_start, seat);
CREATE INDEX bookings_account_idx ON bookings (account) WHERE account IS NOT NULL;

CREATE TABLE queue_ticket_sequences (
    unit TEXT COLLATE "C" NOT NULL,
    day  DATE NOT NULL,
    last INTEGER NOT NULL CHECK (last >= 1),
    CONSTRAINT queue_ticket_sequences_pk PRIMARY KEY (unit, day)
);

CREATE TABLE queue_tickets (
    unit        TEXT COLLATE "C" NOT NULL,
    day         DATE NOT NULL,
    number      INTEGER NOT NULL CHECK (number >= 1),
    province    TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('walk_in', 'appointment')),
    booking     TEXT COLLATE "C" REFERENCES bookings (code),
    procedure   TEXT,
    slot_start  TIMESTAMPTZ,
    status      TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'serving', 'done', 'skipped')),
    counter     SMALLINT CHECK (counter >= 1),
    created_at  TIMESTAMPTZ NOT NULL,
    called_at   TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    CONSTRAINT queue_tickets_pk PRIMARY KEY (unit, day, number)
);
CREATE UNIQUE INDEX queue_tickets_booking_unique ON queue_tickets (booking) WHERE booking IS NOT NULL;
CREATE INDEX queue_tickets_waiting_idx ON queue_tickets (unit, day, status);
