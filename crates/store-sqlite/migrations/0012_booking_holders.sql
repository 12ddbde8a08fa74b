-- The holder's token of a booking (only its SHA-256, hex; NULL for the
-- bookings made before: they are reached by the holder's session or the
-- Center's officials) and the per-contact daily cap on bookings.

ALTER TABLE bookings ADD COLUMN token_hash TEXT;

-- Bookings made per contact (SHA-256 hex of `phone:+84…` or `email:…`)
-- and Vietnam day (YYYY-MM-DD).
CREATE TABLE booking_contact_days (
    contact TEXT NOT NULL,
    day     TEXT NOT NULL,
    made    INTEGER NOT NULL CHECK (made >= 1),
    CONSTRAINT booking_contact_days_pk PRIMARY KEY (contact, day)
);
