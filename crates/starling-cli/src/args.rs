//! The command line, in curl's terms wherever curl has them.

use std::path::PathBuf;

use clap::Parser;

/// Fetch many URLs at once, from one thread, curl-style.
///
/// Without -Z the URLs are fetched one after the other, as curl does; with
/// -Z up to --parallel-max at a time. Bodies go to stdout unless -o, -O or
/// --output-dir say otherwise. `--demo` fetches from a loopback server
/// started inside the process and checks every body.
#[derive(Debug, Parser)]
#[command(name = "starling", version, about, max_term_width = 100)]
pub struct Args {
    /// URLs to fetch.
    pub urls: Vec<String>,

    /// Read URLs from FILE, one per line (`-` for stdin); blank lines and
    /// lines starting with `#` are skipped.
    #[arg(short = 'i', long = "input", value_name = "FILE")]
    pub input: Vec<String>,

    /// Fetch the URLs in parallel.
    #[arg(short = 'Z', long)]
    pub parallel: bool,

    /// Transfers in flight at most with -Z (1 to 100000; default 50, and
    /// 1000 for --demo).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub parallel_max: Option<u32>,

    /// Write the body of the URL in the same position to FILE.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// Write each body to a file named like the URL's last path segment.
    #[arg(short = 'O', long = "remote-name")]
    pub remote_name: bool,

    /// Put output files in DIR.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,

    /// Create missing directories of output files.
    #[arg(long)]
    pub create_dirs: bool,

    /// Follow redirects.
    #[arg(short = 'L', long = "location")]
    pub location: bool,

    /// Redirects followed at most with -L.
    #[arg(long = "max-redirs", value_name = "N")]
    pub max_redirs: Option<u32>,

    /// Extra request header, "Name: value" ("Name:" removes a default one).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,

    /// Request method.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub request: Option<String>,

    /// POST data (`@FILE` reads it from a file, without line breaks);
    /// several are joined with `&`.
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    pub data: Vec<String>,

    /// POST data as it is (`@FILE` reads a file byte for byte).
    #[arg(long = "data-binary", value_name = "DATA")]
    pub data_binary: Vec<String>,

    /// Upload FILE with PUT, streamed.
    #[arg(short = 'T', long = "upload-file", value_name = "FILE")]
    pub upload_file: Option<PathBuf>,

    /// Fetch the headers only (HEAD) and print them.
    #[arg(short = 'I', long)]
    pub head: bool,

    /// Ask for a compressed response and decode it.
    #[arg(long)]
    pub compressed: bool,

    /// Ask for a transfer-encoded (compressed) response and decode it
    /// (without it, a server's unasked Transfer-Encoding: gzip fails with 61).
    #[arg(long)]
    pub tr_encoding: bool,

    /// Connect over IPv4 only.
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Connect over IPv6 only.
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,

    /// Accept any TLS certificate.
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Trust the CA certificates in this directory.
    #[arg(long, value_name = "DIR")]
    pub capath: Option<PathBuf>,

    /// Seconds allowed for the connection phase.
    #[arg(long, value_name = "SECONDS")]
    pub connect_timeout: Option<f64>,

    /// Seconds allowed for each transfer.
    #[arg(short = 'm', long = "max-time", value_name = "SECONDS")]
    pub max_time: Option<f64>,

    /// Retry transient failures (timeouts, refused connections, 408, 429,
    /// 5xx) up to N times.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry: u32,

    /// Seconds between retries (default: 1, doubling each time).
    #[arg(long, value_name = "SECONDS")]
    pub retry_delay: Option<f64>,

    /// Connect to ADDR whenever a URL names HOST and PORT.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Print no progress and no error messages.
    #[arg(short = 's', long)]
    pub silent: bool,

    /// With -s, still print error messages.
    #[arg(short = 'S', long)]
    pub show_error: bool,

    /// Trace each request and response head to stderr.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Fail (exit 22) on HTTP responses of 400 or more, without their body.
    #[arg(short = 'f', long)]
    pub fail: bool,

    /// Print this after each transfer (`%{http_code}`, `%{url_effective}`,
    /// `%{time_total}`, …, `%{json}` for all of them; `@FILE` reads the
    /// format from a file).
    #[arg(short = 'w', long = "write-out", value_name = "FORMAT")]
    pub write_out: Option<String>,

    /// Write one JSON object per transfer to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Fetch N URLs (default 100000) from a loopback server started inside
    /// the process, 1000 at a time unless --parallel-max says otherwise,
    /// and check every body.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "100000")]
    pub demo: Option<u64>,
}
