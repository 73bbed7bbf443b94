//! UTC timestamps as ISO-8601 text (`2026-11-25T05:18:14.123Z`), on `jiff`: the state writes
//! this one format and compares instants parsed from what it (or a user) wrote. Parsing is
//! strict RFC 3339: an impossible date (`2025-02-30`) or an out-of-range field is rejected.

use jiff::Timestamp;

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    Timestamp::now().as_millisecond()
}

/// Now, as ISO-8601 UTC with milliseconds.
pub fn now_iso() -> String {
    format_millis(now_millis())
}

/// ISO-8601 UTC text of an instant in milliseconds since the epoch (always three fraction
/// digits, so that the texts of instants sort like the instants).
pub fn format_millis(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        // Outside jiff's range (about ±10,000 years): clamp, never panic.
        Err(_) if ms < 0 => Timestamp::MIN
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        Err(_) => Timestamp::MAX
            .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` into milliseconds since the epoch; `None`
/// for anything else, including dates that do not exist.
pub fn parse_iso(text: &str) -> Option<i64> {
    let ts: Timestamp = text.parse().ok()?;
    // Sub-millisecond digits are dropped, as the state stores milliseconds.
    Some(ts.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_parses_offsets() {
        for ms in [0, 1_764_047_894_123, 951_782_400_000, -86_400_000] {
            assert_eq!(
                parse_iso(&format_millis(ms)),
                Some(ms),
                "{}",
                format_millis(ms)
            );
        }
        assert_eq!(format_millis(1_764_047_894_123), "2025-11-25T05:18:14.123Z");
        assert_eq!(format_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            parse_iso("2025-11-25T06:18:14+01:00"),
            parse_iso("2025-11-25T05:18:14Z")
        );
        assert_eq!(parse_iso("2025-11-25T05:18:14.5Z"), Some(1_764_047_894_500));
        assert_eq!(
            parse_iso("2025-11-25T05:18:14.1239Z"),
            Some(1_764_047_894_123)
        );
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(parse_iso("2025-13-25T05:18:14Z"), None);
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse_iso("2025-02-30T00:00:00Z"), None);
        assert_eq!(parse_iso("2025-04-31T00:00:00Z"), None);
        assert_eq!(
            parse_iso("2025-02-29T00:00:00Z"),
            None,
            "2025 is no leap year"
        );
        assert!(parse_iso("2024-02-29T00:00:00Z").is_some());
        assert_eq!(parse_iso("2025-01-01T24:00:00Z"), None);
        // A timestamp needs an offset: a civil time alone names no instant.
        assert_eq!(parse_iso("2025-01-01T00:00:00"), None);
    }
}
