//! Hồ sơ — dossiers: codes, states, transitions, events.
