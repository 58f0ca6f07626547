//! What one finished transfer came to: the facts `-w`, `--report`, the
//! progress bar and the exit code are made from.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use starling::Version;

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
    /// The URL's place in the run's list, from 0 (curl's `urlnum`).
    pub urlnum: usize,
    /// The transfer's number in the run, from 0, counting each attempt;
    /// `None` when it never started (curl's `xfer_id`, -1 then).
    pub xfer_id: Option<u64>,
    /// The connection the last request went on (curl's `conn_id`);
    /// `None` without one.
    pub conn_id: Option<u64>,
    /// The method of the last request (after a redirect's change).
    pub method: Option<String>,
    /// The final response's HTTP version.
    pub http_version: Option<Version>,
    /// The final response's header fields in the order received: names as
    /// sent, values with surrounding whitespace trimmed (`%header{}`,
    /// `%{header_json}`, `%{content_type}`).
    pub headers: Vec<(String, String)>,
    /// Where the final response would have redirected to, when it is a
    /// redirect that was not followed (curl's `redirect_url`).
    pub redirect_url: Option<String>,
    /// The Referer header sent.
    pub referer: Option<String>,
    /// The two ends of the connection last used.
    pub local_addr: Option<SocketAddr>,
    pub remote_addr: Option<SocketAddr>,
    /// New connections opened.
    pub num_connects: u32,
    /// Body bytes of the final response as received, before decoding
    /// (curl's `size_download`; [`Outcome::size_download`] counts them
    /// decoded).
    pub size_received: u64,
    /// Bytes of response heads received, interim and redirect ones too.
    pub size_header: u64,
    /// Bytes of request heads and bodies sent.
    pub size_request: u64,
    /// When the whole request was out.
    pub time_posttransfer: Duration,
    /// Time the redirect steps took before the final request.
    pub time_redirect: Duration,
}

impl Outcome {
    /// The value of the final response's first header field called `name`
    /// (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
