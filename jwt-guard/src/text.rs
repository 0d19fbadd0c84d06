//! Attacker-influenced text (a `kid`, a tenant, a strategy name from a request), cut to a
//! bounded length before it reaches a log line or an error. A leaf module: anything may
//! use it, it uses nothing of the crate.

use std::borrow::Cow;

/// The most characters of attacker-influenced text written to a log or an error.
pub(crate) const MAX_CHARS: usize = 64;

/// `text` cut to [`MAX_CHARS`] characters (on a char boundary), with `…` when cut.
pub(crate) fn bounded(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_CHARS) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}
