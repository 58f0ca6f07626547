//! What one finished transfer came to: the facts `-w`, `--report`, the
//! progress bar and the exit code are made from.

use std::path::PathBuf;
use std::time::Duration;

/// One finished transfer (after its retries).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The URL as given.
    pub url: String,
    /// The URL last used (after redirects).
    pub effective_url: String,
    /// The final response's status, when one arrived.
    pub status: Option<u16>,
    /// curl's exit code for this transfer: 0, an error's code, or 22 for
    /// `--fail` on a status of 400 or more.
    pub exit_code: i32,
    /// The error kind's name and message, when it failed.
    pub error: Option<(String, String)>,
    /// Body bytes delivered (after decoding).
    pub size_download: u64,
    /// Request body bytes sent.
    pub size_upload: u64,
    /// Phase times since the start of the last attempt.
    pub time_namelookup: Duration,
    pub time_connect: Duration,
    pub time_appconnect: Duration,
    pub time_pretransfer: Duration,
    pub time_starttransfer: Duration,
    pub time_total: Duration,
    /// Redirects followed.
    pub num_redirects: u32,
    /// Attempts beyond the first (`--retry`).
    pub retries: u32,
    /// Where the body went, when to a file.
    pub output: Option<PathBuf>,
}
