-- The holder's token of a booking (only its SHA-256, hex; NULL for the
-- bookings made before: they are reached by the holder's session or the
-- Center's officials) and the per-contact daily cap on bookings.

ALTER TABLE bookings ADD COLUMN token_hash TEXT COLLATE "C";

-- Bookings made per contact (SHA-256 hex of `phone:+84…` or `email:…`)
-- and Vietnam day. A contact books at Centers of any province, so the
-- table is keyed (and would be distributed) by the contact, not by the
-- province.
CREATE TABLE booking_contact_days (
    contact TEXT COLLATE "C" NOT NULL,
    day     DATE NOT NULL,
    made    INTEGER NOT NULL CHECK (made >= 1),
    CONSTRAINT booking_contact_days_pk PRIMARY KEY (contact, day)
);
