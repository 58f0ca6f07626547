//! Progress calls for paused transfers, as perform-style loops give them
//! (libcurl's `curl_easy_perform` and `curl_multi_perform` run every
//! transfer each turn; its multi_socket path runs only those with events).

use super::Multi;
use crate::current::ClockLoan;

impl Multi {
    /// Gives every paused transfer a progress call, as a turn of libcurl's
    /// `curl_easy_perform` loop does (see [`Handler::pause_change`](crate::Handler::pause_change)):
    /// for perform-style drivers, which call it at least once a second
    /// while it answers true (a transfer is paused). It looks at every
    /// transfer, so multi_socket loops, which libcurl gives no such calls,
    /// should not.
    pub fn progress_paused(&mut self) -> bool {
        let now = self.core.env.now();
        let _clock = ClockLoan::new(&*self.core.env);
        let paused = self.core.progress_paused(now);
        self.core.run_queued(now);
        self.flush(now);
        paused
    }
}
