//! HTTP dates as libcurl reads and writes them: [`parse`] takes any of the
//! forms libcurl reads (the three HTTP date formats, and the looser ones
//! servers and programs use) to seconds since the epoch; [`format()`] writes
//! the one form HTTP sends (IMF-fixdate).
//!
//! libcurl reads a date as up to six words and numbers, in any order, each
//! taken by what it can be: a weekday or month name, a time zone name, a
//! `hh:mm[:ss]` time, a `+hhmm` offset, an eight-digit `YYYYMMDD`, a day of
//! the month, a year. Programs depend on exactly which strings it accepts
//! (a cookie's or a file's time), so this follows the same rules; the C
//! test of the C interface (`curl_getdate`) compares both libraries on a
//! table of dates. The engine reads a `Last-Modified` with it too.

/// Weekday names, Monday first, short and long.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS_LONG: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Time zone names and the minutes to add to their local time to reach
/// GMT (summer zones one hour less), libcurl's table: the civil zones of
/// RFC 822 and others in use, then the military letters with the signs
/// military use gives them (RFC 1123 notes RFC 822 had them reversed).
const ZONES: &[(&str, i32)] = &[
    ("GMT", 0),
    ("UT", 0),
    ("UTC", 0),
    ("WET", 0),
    ("BST", -60),
    ("WAT", 60),
    ("AST", 240),
    ("ADT", 180),
    ("EST", 300),
    ("EDT", 240),
    ("CST", 360),
    ("CDT", 300),
    ("MST", 420),
    ("MDT", 360),
    ("PST", 480),
    ("PDT", 420),
    ("YST", 540),
    ("YDT", 480),
    ("HST", 600),
    ("HDT", 540),
    ("CAT", 600),
    ("AHST", 600),
    ("NT", 660),
    ("IDLW", 720),
    ("CET", -60),
    ("MET", -60),
    ("MEWT", -60),
    ("MEST", -120),
    ("CEST", -120),
    ("MESZ", -120),
    ("FWT", -60),
    ("FST", -120),
    ("EET", -120),
    ("WAST", -420),
    ("WADT", -480),
    ("CCT", -480),
    ("JST", -540),
    ("EAST", -600),
    ("EADT", -660),
    ("GST", -600),
    ("NZT", -720),
    ("NZST", -720),
    ("NZDT", -780),
    ("IDLE", -720),
    ("A", 60),
    ("B", 120),
    ("C", 180),
    ("D", 240),
    ("E", 300),
    ("F", 360),
    ("G", 420),
    ("H", 480),
    ("I", 540),
    ("K", 600),
    ("L", 660),
    ("M", 720),
    ("N", -60),
    ("O", -120),
    ("P", -180),
    ("Q", -240),
    ("R", -300),
    ("S", -360),
    ("T", -420),
    ("U", -480),
    ("V", -540),
    ("W", -600),
    ("X", -660),
    ("Y", -720),
    ("Z", 0),
];

/// A name of this many letters or more is no date word.
const NAME_LEN: usize = 12;

/// Whether a number is read as the day of the month or the year next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Day,
    Year,
}

/// The date's parts as read so far (`None`: not seen).
#[derive(Default)]
struct Parts {
    weekday: Option<usize>,
    month: Option<i64>,
    day: Option<i64>,
    hour: i64,
    minute: i64,
    second: Option<i64>,
    year: Option<i64>,
    /// Seconds to add to reach GMT.
    zone: Option<i64>,
}

/// Seconds since the epoch of `text`, or None where libcurl fails.
pub fn parse(text: &[u8]) -> Option<i64> {
    let mut p = Parts::default();
    let mut next = Next::Day;
    let mut at = 0;
    let mut parts = 0;
    while at < text.len() && parts < 6 {
        while at < text.len() && !text[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at < text.len() && text[at].is_ascii_alphabetic() {
            let len = text[at..]
                .iter()
                .take(NAME_LEN)
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            if len == NAME_LEN || !p.word(&text[at..at + len]) {
                return None;
            }
            at += len;
        } else if at < text.len() {
            at = p.number(text, at, &mut next)?;
        }
        parts += 1;
    }
    let (day, month, year) = (p.day?, p.month?, p.year?);
    // libcurl reads no year before the Gregorian calendar's.
    if year < 1583 {
        return None;
    }
    let second = p.second.unwrap_or(0);
    let (hour, minute) = if p.second.is_some() {
        (p.hour, p.minute)
    } else {
        (0, 0)
    };
    if day > 31 || month > 11 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let t = seconds_since_epoch(second, minute, hour, day, month, year);
    let zone = p.zone.unwrap_or(0);
    if zone > 0 && t > i64::MAX - zone {
        return None;
    }
    Some(t + zone)
}

impl Parts {
    /// Takes a name as the first of weekday, month and zone it can be and
    /// is not yet; false when it is none.
    fn word(&mut self, word: &[u8]) -> bool {
        if self.weekday.is_none() {
            self.weekday = weekday(word);
            if self.weekday.is_some() {
                return true;
            }
        }
        if self.month.is_none() {
            self.month = month(word);
            if self.month.is_some() {
                return true;
            }
        }
        if self.zone.is_none() {
            self.zone = zone(word);
            if self.zone.is_some() {
                return true;
            }
        }
        false
    }

    /// Reads the number at `at`: a time, a zone offset, a YYYYMMDD date, a
    /// day or a year. Where the next part starts, or None when it fits
    /// nothing.
    fn number(&mut self, text: &[u8], at: usize, next: &mut Next) -> Option<usize> {
        if self.second.is_none() {
            if let Some((h, m, s, len)) = clock(&text[at..]) {
                self.hour = h;
                self.minute = m;
                self.second = Some(s.unwrap_or(0));
                return Some(at + len);
            }
        }
        let digits = text[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let val = decimal(&text[at..at + digits])?;
        let mut found = false;
        if self.zone.is_none() && digits == 4 && val <= 1400 && at > 0 && matches!(text[at - 1], b'+' | b'-')
        {
            found = true;
            let offset = (val / 100 * 60 + val % 100) * 60;
            // +hhmm is ahead of GMT: subtract to reach it.
            self.zone = Some(if text[at - 1] == b'+' { -offset } else { offset });
        }
        if digits == 8 && self.year.is_none() && self.month.is_none() && self.day.is_none() {
            found = true;
            self.year = Some(val / 10000);
            self.month = Some((val % 10000) / 100 - 1);
            self.day = Some(val % 100);
        }
        if !found && *next == Next::Day && self.day.is_none() {
            if val > 0 && val < 32 {
                self.day = Some(val);
                found = true;
            }
            *next = Next::Year;
        }
        if !found && *next == Next::Year && self.year.is_none() {
            let year = match val {
                71..=99 => val + 1900,
                0..=70 => val + 2000,
                _ => val,
            };
            self.year = Some(year);
            found = true;
            if self.day.is_none() {
                *next = Next::Day;
            }
        }
        found.then_some(at + digits)
    }
}

/// A decimal number as C's `strtol` reads it into an `int`: None when it
/// overflows.
fn decimal(digits: &[u8]) -> Option<i64> {
    let mut val: i64 = 0;
    for &d in digits {
        val = val.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
        if val > i64::from(i32::MAX) {
            return None;
        }
    }
    Some(val)
}

/// `hh:mm:ss` or `hh:mm` at the start of `text`, each field read as C's
/// `%02d` reads (blanks skipped, a sign allowed, at most two characters):
/// hours, minutes, seconds if given, and the bytes taken.
fn clock(text: &[u8]) -> Option<(i64, i64, Option<i64>, usize)> {
    let (h, mut at) = field(text, 0)?;
    if text.get(at) != Some(&b':') {
        return None;
    }
    let (m, after_minutes) = field(text, at + 1)?;
    at = after_minutes;
    if text.get(at) == Some(&b':') {
        if let Some((s, end)) = field(text, at + 1) {
            return Some((h, m, Some(s), end));
        }
    }
    Some((h, m, None, at))
}

/// One `%02d` field of `sscanf` at `at`: its value and where it ends.
fn field(text: &[u8], mut at: usize) -> Option<(i64, usize)> {
    while text.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    let start = at;
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let mut val = 0;
    let first_digit = at;
    while at - start < 2 && text.get(at).is_some_and(u8::is_ascii_digit) {
        val = val * 10 + i64::from(text[at] - b'0');
        at += 1;
    }
    (at > first_digit).then_some((if negative { -val } else { val }, at))
}

fn weekday(word: &[u8]) -> Option<usize> {
    let names = match word.len() {
        3 => &WEEKDAYS,
        4.. => &WEEKDAYS_LONG,
        _ => return None,
    };
    names
        .iter()
        .position(|name| name.as_bytes().eq_ignore_ascii_case(word))
}

fn month(word: &[u8]) -> Option<i64> {
    if word.len() != 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|name| name.as_bytes().eq_ignore_ascii_case(word))
        .map(|i| i as i64)
}

fn zone(word: &[u8]) -> Option<i64> {
    if word.len() > 4 {
        return None;
    }
    ZONES
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
        .map(|&(_, minutes)| i64::from(minutes) * 60)
}

/// Seconds since the epoch of a date and time in GMT (proleptic
/// Gregorian calendar; `month` 0 to 11).
fn seconds_since_epoch(second: i64, minute: i64, hour: i64, day: i64, month: i64, year: i64) -> i64 {
    const BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    // Leap days from 1970 up to the date: this year's counts only from
    // March on.
    let y = year - i64::from(month <= 1);
    let leap_days = (y / 4 - y / 100 + y / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);
    let days = (year - 1970) * 365 + leap_days + BEFORE_MONTH[month.clamp(0, 11) as usize] + day - 1;
    ((days * 24 + hour) * 60 + minute) * 60 + second
}

/// `secs` since the epoch as HTTP writes a date (IMF-fixdate, GMT):
/// `Sun, 06 Nov 1994 08:49:37 GMT`, any time before or after the epoch
/// (libcurl's form, for `If-Modified-Since` and its kin).
pub fn format(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    // 1970-01-01 was a Thursday (index 3 from Monday).
    let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize];
    let (year, month, day) = civil_from_days(days);
    format!(
        "{weekday}, {day:02} {} {year:4} {:02}:{:02}:{:02} GMT",
        MONTHS[month as usize],
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// `secs` since the epoch as libcurl writes a date in its cache files:
/// `20261231 23:59:59` (GMT).
pub fn format_compact(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let in_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year}{:02}{day:02} {:02}:{:02}:{:02}",
        month + 1,
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// The (year, month 0 to 11, day 1 to 31) of a day counted from
/// 1970-01-01, in the proleptic Gregorian calendar: the inverse of the
/// day count in [`seconds_since_epoch`] (eras of 400 years, years
/// starting in March so that the leap day comes last).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = (shifted_month + 2) % 12;
    let year = year_of_era + era * 400 + i64::from(month <= 1);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_http_formats() {
        for text in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse(text.as_bytes()), Some(784_111_777), "{text}");
        }
    }

    #[test]
    fn zones_and_offsets_move_the_time_to_gmt() {
        assert_eq!(parse(b"06 Nov 1994 08:49:37 +0100"), Some(784_111_777 - 3600));
        assert_eq!(parse(b"06 Nov 1994 08:49:37 -0130"), Some(784_111_777 + 5400));
        assert_eq!(parse(b"06 Nov 1994 08:49:37 EST"), Some(784_111_777 + 5 * 3600));
        assert_eq!(parse(b"06 Nov 1994 08:49:37 cest"), Some(784_111_777 - 2 * 3600));
    }

    #[test]
    fn loose_forms_libcurl_reads() {
        assert_eq!(parse(b"19941106 08:49:37"), Some(784_111_777));
        assert_eq!(parse(b"Nov 6 1994"), Some(784_080_000));
        assert_eq!(parse(b"6 Nov 1994 8:49"), Some(784_111_740));
        assert_eq!(parse(b"1 Jan 1970 00:00:00 GMT"), Some(0));
    }

    #[test]
    fn what_is_no_date() {
        for text in [
            "",
            "yesterday",
            "Nov 1994",
            "32 Nov",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "06 Nov 1994 08:49:37 Abcdefghijkl",
            "99999999999 Nov 1994",
        ] {
            assert_eq!(parse(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn dates_are_written_as_http_writes_them() {
        assert_eq!(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(format(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(format(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
        assert_eq!(format(4_102_444_799), "Thu, 31 Dec 2099 23:59:59 GMT");
    }

    #[test]
    fn written_dates_read_back() {
        for secs in [
            -86_400 * 365 * 300,
            -1,
            0,
            1,
            784_111_777,
            1_709_164_800,
            32_503_680_000,
        ] {
            assert_eq!(parse(format(secs).as_bytes()), Some(secs), "{}", format(secs));
        }
    }
}
