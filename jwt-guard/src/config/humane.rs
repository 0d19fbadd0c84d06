//! Durations written humanely: `"10m"`, `"1h30m"`, `"500ms"`, `"2d"`, or a number of
//! seconds (`30`, `0.5`).

use std::fmt;
use std::time::Duration;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// What a duration looks like, in every message about one.
const EXPECTED: &str =
    "a duration such as \"30s\", \"10m\", \"1h30m\", \"500ms\", or a number of seconds";

/// Parses `"1h30m"`-style text: numbers each followed by `ms`, `s`, `m`, `h` or `d`.
///
/// ```
/// use std::time::Duration;
/// use jwt_guard::config::humane::parse;
///
/// assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
/// assert_eq!(parse("1h 30m"), Ok(Duration::from_secs(5400)));
/// assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
/// assert!(parse("10").is_err(), "a unit is needed in text");
/// assert!(parse("ten minutes").is_err());
/// ```
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("{text:?} is not a duration (write e.g. \"30s\", \"10m\", \"1h30m\", \"500ms\")")
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let value: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" | "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            "d" => Duration::from_secs(86_400),
            _ => return Err(bad()),
        };
        let part = u32::try_from(value)
            .ok()
            .and_then(|v| unit.checked_mul(v))
            .ok_or_else(bad)?;
        total = total.checked_add(part).ok_or_else(bad)?;
        rest = rest[unit_len..].trim_start();
    }
    Ok(total)
}

/// Deserializes an optional humane duration (for `#[serde(with = "humane")]`): text, a
/// whole number of seconds, or a fraction of seconds. Anything else is "expected a
/// duration such as …", never serde's own wording.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    d.deserialize_any(DurationVisitor).map(Some)
}

/// A required humane duration (for `#[serde(deserialize_with = …)]`).
pub(crate) fn deserialize_required<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    d.deserialize_any(DurationVisitor)
}

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
        parse(text).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Duration, E> {
        Ok(Duration::from_secs(seconds))
    }

    fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Duration, E> {
        u64::try_from(seconds)
            .map(Duration::from_secs)
            .map_err(|_| E::custom(format!("{seconds} is negative; expected {EXPECTED}")))
    }

    fn visit_f64<E: de::Error>(self, seconds: f64) -> Result<Duration, E> {
        Duration::try_from_secs_f64(seconds)
            .map_err(|_| E::custom(format!("{seconds} is not a duration in seconds")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humane_durations() {
        assert_eq!(parse("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse("1h30m15s"), Ok(Duration::from_secs(5415)));
        for bad in ["", "m", "1x", "1.5h", "-1s", "99999999999s", "1h garbage"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
