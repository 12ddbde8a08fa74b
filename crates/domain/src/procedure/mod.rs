//! Thủ tục hành chính — the procedure catalogue.
