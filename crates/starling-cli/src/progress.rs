//! The live progress bar on a terminal, and the one-line summary.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of a whole run.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    total: u64,
    pub done: u64,
    pub failed: u64,
    pub bytes: u64,
}

impl Progress {
    /// A bar for `total` transfers, drawn on stderr when it is a terminal
    /// and `quiet` is not set.
    pub fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(8));
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} done, {msg} [{elapsed_precise}, ETA {eta}]",
            )
            .expect("a valid template");
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            total,
            done: 0,
            failed: 0,
            bytes: 0,
        }
    }

    /// A transfer ended.
    pub fn finished(&mut self, ok: bool, bytes: u64) {
        self.done += 1;
        self.bytes += bytes;
        if !ok {
            self.failed += 1;
        }
    }

    /// Whether there is a bar to draw (so the caller need not gather what
    /// it shows otherwise).
    pub fn is_drawn(&self) -> bool {
        self.bar.is_some()
    }

    /// Redraws (the bar limits itself to a few frames a second), with the
    /// bytes the transfers in flight received so far, so that one long
    /// download shows its bytes and rate before it ends.
    pub fn update(&self, in_flight: usize, in_flight_bytes: u64) {
        let Some(bar) = &self.bar else { return };
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let bytes = self.bytes + in_flight_bytes;
        bar.set_position(self.done);
        bar.set_message(format!(
            "{in_flight} in flight, {} failed, {}, {}/s",
            self.failed,
            human_bytes(bytes),
            human_bytes((bytes as f64 / secs) as u64)
        ));
    }

    /// Prints something above the bar (or plainly without one).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar; returns the summary line.
    pub fn finish(&self) -> String {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        let secs = self.started.elapsed().as_secs_f64();
        format!(
            "{} of {} done, {} failed, {} in {:.2} s, {:.0} requests/s",
            self.done,
            self.total,
            self.failed,
            human_bytes(self.bytes),
            secs,
            self.done as f64 / secs.max(1e-6)
        )
    }
}

/// Bytes for a person: `1.5 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_well() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 kB");
        assert_eq!(human_bytes(2_500_000_000), "2.5 GB");
    }
}
