//! Calendar dates without a clock: "today" is always passed in.

use std::fmt;
use std::str::FromStr;

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// True for Gregorian leap years.
pub fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Number of days in a month (`None` for a month outside 1–12).
pub fn days_in_month(year: u16, month: u8) -> Option<u8> {
    Some(match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return None,
    })
}

impl Date {
    /// A checked constructor.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let max = days_in_month(year, month)?;
        (day >= 1 && day <= max).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), for comparisons and ages.
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days-from-civil algorithm.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after this one (negative for before).
    pub fn add_days(self, days: i64) -> Date {
        let z = self.days_since_epoch() + days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a `YYYY-MM-DD` text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateParseError(pub String);

impl fmt::Display for DateParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a date of the form YYYY-MM-DD", self.0)
    }
}

impl std::error::Error for DateParseError {}

impl FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Date, DateParseError> {
        let err = || DateParseError(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u16, DateParseError> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::new(y, m as u8, d as u8).ok_or_else(err)
    }
}

/// Two digits at `s[i..i+2]` as a number.
pub(crate) fn two_digits(s: &[u8], i: usize) -> Option<u8> {
    match (s.get(i), s.get(i + 1)) {
        (Some(a), Some(b)) if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some((a - b'0') * 10 + (b - b'0'))
        }
        _ => None,
    }
}

/// The full year for a two-digit year, by the GS1 sliding window
/// (General Specifications 7.12): up to 49 years back, up to 50 ahead.
pub fn gs1_full_year(yy: u8, today: Date) -> u16 {
    let current = today.year % 100;
    let century = today.year - current;
    let diff = i32::from(yy) - i32::from(current);
    let c = if diff >= 51 {
        century.saturating_sub(100)
    } else if diff <= -50 {
        century + 100
    } else {
        century
    };
    c + u16::from(yy)
}

/// Why a six-digit date is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not six digits.
    Format,
    /// Month not 01–12.
    Month(u8),
    /// Day 00 where the day is required, or past the month's end.
    Day { day: u8, max: u8 },
}

/// An expiry-style date as scanned (YYMMDD), with the calendar date it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yymmdd {
    /// The date it stands for; day 00 means the last day of the month.
    pub date: Date,
    /// True when the scanned day was 00.
    pub day_unspecified: bool,
}

/// Parses YYMMDD. `allow_day_zero` accepts DD = 00 (meaning the month's last day).
pub fn parse_yymmdd(s: &str, allow_day_zero: bool, today: Date) -> Result<Yymmdd, DateError> {
    let b = s.as_bytes();
    if b.len() != 6 {
        return Err(DateError::Format);
    }
    let (Some(yy), Some(mm), Some(dd)) = (two_digits(b, 0), two_digits(b, 2), two_digits(b, 4))
    else {
        return Err(DateError::Format);
    };
    let year = gs1_full_year(yy, today);
    let max = days_in_month(year, mm).ok_or(DateError::Month(mm))?;
    match dd {
        0 if allow_day_zero => Ok(Yymmdd {
            date: Date {
                year,
                month: mm,
                day: max,
            },
            day_unspecified: true,
        }),
        d if d >= 1 && d <= max => Ok(Yymmdd {
            date: Date {
                year,
                month: mm,
                day: d,
            },
            day_unspecified: false,
        }),
        d => Err(DateError::Day { day: d, max }),
    }
}

/// Parses YYYYMMDD (day 00 refused).
pub fn parse_yyyymmdd(s: &str) -> Result<Date, DateError> {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return Err(DateError::Format);
    }
    let year =
        u16::from(two_digits(b, 0).unwrap_or(0)) * 100 + u16::from(two_digits(b, 2).unwrap_or(0));
    let (mm, dd) = (two_digits(b, 4).unwrap_or(0), two_digits(b, 6).unwrap_or(0));
    let max = days_in_month(year, mm).ok_or(DateError::Month(mm))?;
    if dd == 0 || dd > max {
        return Err(DateError::Day { day: dd, max });
    }
    Ok(Date {
        year,
        month: mm,
        day: dd,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().expect("test date")
    }

    #[test]
    fn century_window() {
        let today = d("2026-11-23");
        assert_eq!(gs1_full_year(26, today), 2026);
        assert_eq!(gs1_full_year(76, today), 2076); // +50 ahead
        assert_eq!(gs1_full_year(77, today), 1977); // +51 -> back
        assert_eq!(gs1_full_year(0, today), 2000);
        assert_eq!(gs1_full_year(99, today), 1999);
        let today = d("2090-01-01");
        assert_eq!(gs1_full_year(10, today), 2110); // -80 -> ahead
        assert_eq!(gs1_full_year(41, today), 2041); // -49 -> same century
        assert_eq!(gs1_full_year(40, today), 2140); // -50 -> next
    }

    #[test]
    fn day_zero_is_last_day_of_month() {
        let today = d("2026-11-23");
        let e = parse_yymmdd("280200", true, today).expect("valid");
        assert_eq!(e.date, d("2028-02-29"));
        assert!(e.day_unspecified);
        let e = parse_yymmdd("270200", true, today).expect("valid");
        assert_eq!(e.date, d("2027-02-28"));
        assert_eq!(
            parse_yymmdd("270200", false, today),
            Err(DateError::Day { day: 0, max: 28 })
        );
    }

    #[test]
    fn impossible_dates_rejected() {
        let today = d("2026-11-23");
        assert_eq!(
            parse_yymmdd("271301", true, today),
            Err(DateError::Month(13))
        );
        assert_eq!(
            parse_yymmdd("270001", true, today),
            Err(DateError::Month(0))
        );
        assert_eq!(
            parse_yymmdd("270230", true, today),
            Err(DateError::Day { day: 30, max: 28 })
        );
        assert_eq!(
            parse_yymmdd("270431", true, today),
            Err(DateError::Day { day: 31, max: 30 })
        );
        assert_eq!(parse_yymmdd("2704", true, today), Err(DateError::Format));
        assert_eq!(parse_yymmdd("27o401", true, today), Err(DateError::Format));
        assert!(parse_yyyymmdd("20240229").is_ok());
        assert!(parse_yyyymmdd("21000229").is_err());
        assert!(parse_yyyymmdd("20000229").is_ok());
    }

    #[test]
    fn epoch_days_round_trip() {
        let base = d("1970-01-01");
        assert_eq!(base.days_since_epoch(), 0);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
        for n in [-1000i64, -1, 0, 1, 59, 365, 10_000, 40_000] {
            assert_eq!(base.add_days(n).days_since_epoch(), n);
        }
        assert_eq!(d("2026-11-23").add_days(10), d("2026-12-03"));
    }

    #[test]
    fn parse_display() {
        assert_eq!(d("2026-02-28").to_string(), "2026-02-28");
        assert!("2026-02-29".parse::<Date>().is_err());
        assert!("2026-2-28".parse::<Date>().is_err());
    }
}
