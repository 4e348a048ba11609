//! Simulated time: instants, ISO 8601 timestamps and durations.
//!
//! The engine never reads the host clock. A scenario starts at `defaults.time` and moves only
//! when a step says `advance`, so `aws:CurrentTime`, deletion windows and grant propagation are
//! reproducible. Instants are milliseconds since the Unix epoch, UTC.

use std::fmt;

/// A point in simulated time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Instant(pub i64);

/// A span of simulated time, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Duration(pub i64);

/// Why a timestamp or duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not an ISO 8601 date or date-time that AWS accepts.
    #[error("`{0}` is not an ISO 8601 date-time (expected e.g. `2026-11-22T12:00:00Z`)")]
    BadTimestamp(String),
    /// Not an ISO 8601 duration.
    #[error("`{0}` is not an ISO 8601 duration (expected e.g. `PT5M` or `P7D`)")]
    BadDuration(String),
}

impl Instant {
    /// Seconds since the epoch (floor).
    pub fn epoch_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant plus `d`, saturating.
    pub fn plus(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }

    /// Parses an ISO 8601 timestamp as AWS accepts in policies: `YYYY-MM-DD`,
    /// `YYYY-MM-DDThh:mm[:ss[.fff]]` followed by `Z` or `±hh:mm` (a missing zone means UTC).
    pub fn parse_iso(s: &str) -> Result<Instant, TimeError> {
        parse_iso(s.trim()).ok_or_else(|| TimeError::BadTimestamp(s.to_string()))
    }

    /// Parses what AWS's date condition operators accept: ISO 8601 or epoch seconds.
    pub fn parse_policy_date(s: &str) -> Result<Instant, TimeError> {
        let t = s.trim();
        if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit()) {
            return t
                .parse::<i64>()
                .ok()
                .and_then(|secs| secs.checked_mul(1000))
                .map(Instant)
                .ok_or_else(|| TimeError::BadTimestamp(s.to_string()));
        }
        Instant::parse_iso(t)
    }
}

impl fmt::Display for Instant {
    /// Formats as `YYYY-MM-DDThh:mm:ssZ` (with `.mmm` when there are milliseconds).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.div_euclid(1000);
        let ms = self.0.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

impl Duration {
    /// Parses `PnDTnHnMnS` (weeks `PnW` too). Years and months are refused: their length
    /// depends on the calendar, and simulated steps want exact spans.
    pub fn parse_iso(s: &str) -> Result<Duration, TimeError> {
        parse_duration(s.trim()).ok_or_else(|| TimeError::BadDuration(s.to_string()))
    }

    /// Whole seconds.
    pub fn seconds(secs: i64) -> Duration {
        Duration(secs.saturating_mul(1000))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0 / 1000;
        let (d, h, m, s) = (
            total / 86_400,
            (total / 3600) % 24,
            (total / 60) % 60,
            total % 60,
        );
        f.write_str("P")?;
        if d != 0 {
            write!(f, "{d}D")?;
        }
        if h != 0 || m != 0 || s != 0 || d == 0 {
            f.write_str("T")?;
            if h != 0 {
                write!(f, "{h}H")?;
            }
            if m != 0 {
                write!(f, "{m}M")?;
            }
            if s != 0 || (h == 0 && m == 0) {
                write!(f, "{s}S")?;
            }
        }
        Ok(())
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Reads exactly `n` ASCII digits.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let s = b.get(at..at + n)?;
    s.iter().try_fold(0i64, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn parse_iso(s: &str) -> Option<Instant> {
    let b = s.as_bytes();
    let y = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mo = u32::try_from(digits(b, 5, 2)?).ok()?;
    let d = u32::try_from(digits(b, 8, 2)?).ok()?;
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    if b.len() == 10 {
        return Some(Instant(ms));
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let h = digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let mi = digits(b, 14, 2)?;
    let mut i = 16;
    let mut sec = 0;
    let mut frac_ms = 0;
    if b.get(i) == Some(&b':') {
        sec = digits(b, i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            let frac = s.get(start..i)?;
            let padded: String = frac.chars().chain("000".chars()).take(3).collect();
            frac_ms = padded.parse::<i64>().ok()?;
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ms += (h * 3600 + mi * 60 + sec) * 1000 + frac_ms;
    match b.get(i) {
        None => Some(Instant(ms)),
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(Instant(ms)),
        Some(sign @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => digits(b, i + 4, 2).filter(|_| b.len() == i + 6)?,
                None => 0,
                Some(_) => digits(b, i + 3, 2).filter(|_| b.len() == i + 5)?,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = (oh * 3600 + om * 60) * 1000;
            Some(Instant(if *sign == b'+' { ms - off } else { ms + off }))
        }
        Some(_) => None,
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' | 't' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' | '.' => num.push(c),
            unit => {
                let n: f64 = num.parse().ok()?;
                num.clear();
                let secs = match (in_time, unit.to_ascii_uppercase()) {
                    (false, 'W') => n * 7.0 * 86_400.0,
                    (false, 'D') => n * 86_400.0,
                    (true, 'H') => n * 3600.0,
                    (true, 'M') => n * 60.0,
                    (true, 'S') => n,
                    _ => return None,
                };
                total = total.checked_add((secs * 1000.0).round() as i64)?;
                any = true;
            }
        }
    }
    (num.is_empty() && any).then_some(Duration(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip() {
        let t = Instant::parse_iso("2026-11-22T12:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-22T12:00:00Z");
        assert_eq!(t.epoch_seconds(), 1_795_348_800);
        let t2 = Instant::parse_iso("2026-11-22T13:30:00+01:30").unwrap();
        assert_eq!(t, t2);
        assert_eq!(
            Instant::parse_iso("2026-11-22").unwrap().to_string(),
            "2026-11-22T00:00:00Z"
        );
        assert_eq!(
            Instant::parse_iso("2024-02-29T00:00:00.5Z")
                .unwrap()
                .to_string(),
            "2024-02-29T00:00:00.500Z"
        );
        assert!(Instant::parse_iso("2023-02-29").is_err());
        assert!(Instant::parse_iso("2026-13-01").is_err());
        assert!(Instant::parse_iso("yesterday").is_err());
        assert!(Instant::parse_iso("2026-11-22T12:00:00Zjunk").is_err());
        assert_eq!(
            Instant::parse_policy_date("1795348800").unwrap(),
            Instant::parse_iso("2026-11-22T12:00:00Z").unwrap()
        );
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse_iso("PT5M").unwrap(), Duration(300_000));
        assert_eq!(Duration::parse_iso("P7D").unwrap(), Duration(604_800_000));
        assert_eq!(
            Duration::parse_iso("P1DT2H3M4.5S").unwrap(),
            Duration(93_784_500)
        );
        assert_eq!(Duration::parse_iso("P1W").unwrap().to_string(), "P7D");
        assert_eq!(Duration(60_000).to_string(), "PT1M");
        assert!(Duration::parse_iso("P1M").is_err());
        assert!(Duration::parse_iso("PT").is_err());
        assert!(Duration::parse_iso("5 minutes").is_err());
    }
}
