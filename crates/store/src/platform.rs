//! Where Countercheck keeps its files on each platform, and what this
//! computer is called: one home for both, used by the desk and the CLI.
//!
//! - Data (databases, exports, logs): the platform's local data folder
//!   (`%LOCALAPPDATA%` on Windows, `~/Library/Application Support` on
//!   macOS, `$XDG_DATA_HOME` or `~/.local/share` on Linux), then
//!   `countercheck`. Decision: *local*, not roaming, data on Windows: a
//!   pharmacy's ledger belongs to the PC it was recorded on, and a roaming
//!   profile copying a live SQLite file between PCs would corrupt it.
//! - The workstation's default name: the computer's host name.

use std::path::PathBuf;

/// Countercheck's own folder in the platform's local data folder (`None`
/// only when the platform names none, e.g. no home folder at all).
pub fn data_home() -> Option<PathBuf> {
    dirs::data_local_dir().map(|d| d.join("countercheck"))
}

/// The computer's name, as the platform gives it (`None` when it gives
/// none).
pub fn host_name() -> Option<String> {
    #[cfg(windows)]
    let name = std::env::var("COMPUTERNAME").ok();
    #[cfg(unix)]
    let name = Some(
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned(),
    );
    #[cfg(not(any(windows, unix)))]
    let name: Option<String> = None;
    name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

/// A time (seconds since 1970) as people read it: local time with the zone
/// named (`2026-12-04 10:14 CET`).
pub fn local_text(secs: i64) -> String {
    time_text_in(secs, &jiff::tz::TimeZone::system())
}

/// The local calendar day of a time, `YYYY-MM-DD`.
pub fn local_date_text(secs: i64) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d")
            .to_string(),
        Err(_) => domain::Timestamp(secs).utc_text()[..10].to_owned(),
    }
}

/// [`local_text`] in the zone `tz`.
pub fn time_text_in(secs: i64, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_second(secs) {
        Ok(t) => t
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string(),
        Err(_) => domain::Timestamp(secs).utc_text(),
    }
}

/// The first and the last second of a calendar day typed by a person (a
/// journal or recall filter), in local time: the day the screens show, not
/// the UTC day (which starts at 01:00 or 02:00 in Germany). `None` for a
/// date that does not exist.
pub fn local_day_span(year: u16, month: u8, day: u8) -> Option<(i64, i64)> {
    day_span_in(year, month, day, &jiff::tz::TimeZone::system())
}

/// [`local_day_span`] in the zone `tz`. A day with a clock change has 23 or
/// 25 hours; a day that starts in a gap starts at the first existing second.
pub fn day_span_in(year: u16, month: u8, day: u8, tz: &jiff::tz::TimeZone) -> Option<(i64, i64)> {
    let d = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let start = d.to_zoned(tz.clone()).ok()?.timestamp().as_second();
    let next = d
        .tomorrow()
        .ok()?
        .to_zoned(tz.clone())
        .ok()?
        .timestamp()
        .as_second();
    Some((start, next - 1))
}

#[cfg(test)]
mod tests {
    /// A day typed in Berlin is the Berlin day: it starts at 23:00 UTC the
    /// evening before in winter, 22:00 in summer; the spring-forward day
    /// has 23 hours, the autumn one 25.
    #[test]
    fn a_typed_day_is_the_local_day() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone data");
        // 2026-12-04 00:00 CET = 2026-12-03 23:00 UTC.
        let (s, e) = super::day_span_in(2026, 12, 4, &berlin).expect("a day");
        assert_eq!(
            super::time_text_in(s, &jiff::tz::TimeZone::UTC),
            "2026-12-03 23:00 UTC"
        );
        assert_eq!(e - s + 1, 86_400);
        let (s, _) = super::day_span_in(2026, 7, 1, &berlin).expect("a day");
        assert_eq!(
            super::time_text_in(s, &jiff::tz::TimeZone::UTC),
            "2026-06-30 22:00 UTC"
        );
        let (s, e) = super::day_span_in(2026, 3, 29, &berlin).expect("a day");
        assert_eq!(e - s + 1, 23 * 3600);
        let (s, e) = super::day_span_in(2026, 10, 25, &berlin).expect("a day");
        assert_eq!(e - s + 1, 25 * 3600);
        assert_eq!(super::day_span_in(2026, 2, 30, &berlin), None);
        let (s, _) = super::day_span_in(2026, 12, 4, &jiff::tz::TimeZone::UTC).expect("a day");
        assert_eq!(s % 86_400, 0);
    }

    /// Reports name the zone, and follow its summer time.
    #[test]
    fn times_are_local_with_the_zone_named() {
        use super::time_text_in;
        use jiff::tz::TimeZone;
        // 2026-11-23 14:05 UTC and 2026-07-01 08:00 UTC.
        let (winter, summer) = (1_795_442_700, 1_782_892_800);
        let berlin = TimeZone::get("Europe/Berlin").expect("tzdb");
        assert_eq!(time_text_in(winter, &berlin), "2026-11-23 15:05 CET");
        assert_eq!(time_text_in(summer, &berlin), "2026-07-01 10:00 CEST");
        assert_eq!(time_text_in(winter, &TimeZone::UTC), "2026-11-23 14:05 UTC");
        let lisbon = TimeZone::get("Europe/Lisbon").expect("tzdb");
        assert_eq!(time_text_in(summer, &lisbon), "2026-07-01 09:00 WEST");
    }

    #[test]
    fn this_computer_has_a_name_and_a_data_folder() {
        let name = super::host_name().expect("a host name");
        assert!(!name.is_empty() && !name.contains('\0'));
        let home = super::data_home().expect("a data folder");
        assert!(home.ends_with("countercheck"), "{}", home.display());
        assert!(home.is_absolute(), "{}", home.display());
    }
}
