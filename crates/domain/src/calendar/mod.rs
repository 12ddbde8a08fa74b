//! Lịch làm việc — working calendar and legal deadlines.
