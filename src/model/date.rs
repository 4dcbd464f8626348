//! Civil dates (proleptic Gregorian) and the day arithmetic the engine needs.
//!
//! One simulation tick is one day. Dates in scenario files and logs are ISO `YYYY-MM-DD`;
//! internally a date is a day number relative to 1970-01-01, so adding days is an integer add.

use std::fmt;

/// A calendar date, stored as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

/// Why a date string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {text:?}: {reason} (expected YYYY-MM-DD)")]
pub struct DateError {
    /// The text that failed to parse.
    pub text: String,
    /// What was wrong with it.
    pub reason: &'static str,
}

impl Date {
    /// Builds a date from year, month (1-12) and day (1-31), checking the day exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year as i64, month, day)))
    }

    /// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let err = |reason| DateError { text: text.to_string(), reason };
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(err("wrong shape"));
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let part = &text[range];
            if part.bytes().all(|b| b.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
            return Err(err("non-digit characters"));
        };
        if !(1..=12).contains(&month) {
            return Err(err("month out of range"));
        }
        Date::from_ymd(year as i32, month, day).ok_or_else(|| err("no such day in that month"))
    }

    /// The date `days` days later.
    pub fn plus_days(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Days from `earlier` to `self` (negative when `self` is earlier).
    pub fn days_since(self, earlier: Date) -> i64 {
        self.0 - earlier.0
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// The date as `YYYY-MM-DD` in an `Id` (stamped on every event), written digit by digit
    /// rather than through the formatting machinery; the same text as `Display`.
    pub fn to_id(self) -> crate::model::id::Id {
        let (y, m, d) = self.ymd();
        if !(0..=9999).contains(&y) {
            return crate::format_id!("{self}");
        }
        let y = y as u32;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let text = [digit(y / 1000), digit(y / 100), digit(y / 10), digit(y), b'-', digit(m / 10), digit(m), b'-', digit(d / 10), digit(d)];
        crate::model::id::Id::new(std::str::from_utf8(&text).expect("ASCII digits"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_ids_read_as_they_display() {
        let start = Date::parse("1999-12-25").unwrap();
        for days in (-800_000..800_000).step_by(997).chain(0..800) {
            let d = start.plus_days(days);
            assert_eq!(d.to_id().as_str(), d.to_string(), "{days}");
        }
    }

    #[test]
    fn parses_and_prints_round_trip() {
        for text in ["2023-07-26", "2024-02-29", "2025-01-29", "1970-01-01", "1999-12-31"] {
            assert_eq!(Date::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn rejects_impossible_dates() {
        for text in ["2023-02-29", "2023-13-01", "2023-00-10", "2023-7-26", "26/07/2023", "2023-04-31", ""] {
            assert!(Date::parse(text).is_err(), "{text} should be rejected");
        }
    }

    #[test]
    fn day_arithmetic_matches_the_niger_timeline() {
        let coup = Date::parse("2023-07-26").unwrap();
        // Economic sanctions imposed 30 Jul 2023 and lifted 24 Feb 2024: 209 days.
        let imposed = Date::parse("2023-07-30").unwrap();
        assert_eq!(Date::parse("2024-02-24").unwrap().days_since(imposed), 209);
        assert_eq!(coup.plus_days(4), imposed);
        assert_eq!(Date::parse("2025-01-29").unwrap().days_since(coup), 553);
    }
}
