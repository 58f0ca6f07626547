//! `--limit-rate`: each transfer's download held to an average speed, by
//! pausing it (the engine keeps the refused piece and hands it over again
//! on resume) until its average is back under the limit.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A speed from the command line, as curl reads it: bytes per second, or
/// with a `k`, `m` or `g` suffix (either case) for 1024-based units.
pub fn parse_speed(text: &str) -> Result<u64, String> {
    let (digits, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c.to_ascii_lowercase()),
        _ => (text, ' '),
    };
    let scale: u64 = match unit {
        ' ' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => return Err(format!("--limit-rate {text}: unknown unit '{unit}' (k, m or g)")),
    };
    let value: f64 = digits
        .parse()
        .map_err(|_| format!("--limit-rate {text}: not a speed"))?;
    if !value.is_finite() || value <= 0.0 {
        return Err(format!("--limit-rate {text}: not a speed"));
    }
    Ok(((value * scale as f64) as u64).max(1))
}

/// The bytes taken ahead of the average: one read of curl's buffer.
const BURST: u64 = 16 * 1024;

/// One transfer's limiter. The run loop reads [`Limiter::resume_at`] to
/// resume it.
#[derive(Debug)]
pub struct Limiter {
    rate: u64,
    started: Option<Instant>,
    bytes: u64,
    /// When the paused transfer may go on (shared with the run loop).
    pub resume_at: Rc<Cell<Option<Instant>>>,
}

impl Limiter {
    /// A limiter of `rate` bytes per second.
    pub fn new(rate: u64) -> Limiter {
        Limiter {
            rate,
            started: None,
            bytes: 0,
            resume_at: Rc::new(Cell::new(None)),
        }
    }

    /// Whether `len` more bytes may be taken now; when not, the time to
    /// resume is set. Averaged over the whole body, as curl's limit is,
    /// counting the piece itself beyond one read of curl's (16 KiB): a
    /// large last piece must not end the body early (the engine hands over
    /// up to 256 KiB at once, curl reads 16 KiB at a time).
    pub fn admit(&mut self, len: usize, now: Instant) -> bool {
        let started = *self.started.get_or_insert(now);
        let counted = (self.bytes + len as u64).saturating_sub(BURST);
        let allowed_at = started + Duration::from_secs_f64(counted as f64 / self.rate as f64);
        if allowed_at > now {
            self.resume_at.set(Some(allowed_at));
            return false;
        }
        self.bytes += len as u64;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_as_curl_reads_them() {
        assert_eq!(parse_speed("1000").unwrap(), 1000);
        assert_eq!(parse_speed("100K").unwrap(), 102_400);
        assert_eq!(parse_speed("1.5m").unwrap(), 1_572_864);
        assert_eq!(parse_speed("2G").unwrap(), 2 << 30);
        assert!(parse_speed("10x").is_err());
        assert!(parse_speed("0").is_err());
        assert!(parse_speed("fast").is_err());
    }

    #[test]
    fn the_average_stays_under_the_limit() {
        let t0 = Instant::now();
        let mut limiter = Limiter::new(16 * 1024);
        // One read's worth goes at once.
        assert!(limiter.admit(16 * 1024, t0));
        // 16 KiB more would put the average at 32 KiB in 1 s: wait for it.
        assert!(!limiter.admit(16 * 1024, t0 + Duration::from_millis(100)));
        assert_eq!(limiter.resume_at.get(), Some(t0 + Duration::from_secs(1)));
        assert!(limiter.admit(16 * 1024, t0 + Duration::from_secs(1)));
        // A large piece counts whole: 32 + 64 - 16 KiB is 5 s in.
        assert!(!limiter.admit(64 * 1024, t0 + Duration::from_secs(2)));
        assert_eq!(limiter.resume_at.get(), Some(t0 + Duration::from_secs(5)));
        assert!(limiter.admit(64 * 1024, t0 + Duration::from_secs(5)));
    }
}
