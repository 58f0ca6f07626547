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
#[command(
    name = "starling",
    version,
    about,
    max_term_width = 100,
    disable_help_flag = true
)]
pub struct Args {
    /// Show help: the important options, a CATEGORY's, or `all`.
    #[arg(short = 'h', long = "help", value_name = "CATEGORY", num_args = 0..=1, default_missing_value = "")]
    pub help: Option<String>,

    /// URLs to fetch (a URL without a scheme is guessed as curl guesses:
    /// http://, or the protocol an ftp. or similar host name says).
    pub urls: Vec<String>,

    /// A URL to fetch, as a positional one.
    #[arg(long = "url", value_name = "URL")]
    pub url: Vec<String>,

    /// Read URLs from FILE, one per line (`-` for stdin); blank lines and
    /// lines starting with `#` are skipped.
    #[arg(long = "url-file", value_name = "FILE")]
    pub url_file: Vec<String>,

    /// Read options from FILE as curl does: one option per line
    /// (`url = "http://…"`, `output = file`, `--silent`, `-L`, …); `#`
    /// starts a comment. `-` reads stdin.
    #[arg(short = 'K', long = "config", value_name = "FILE")]
    pub config: Vec<String>,

    /// Protocol for URLs without a scheme (instead of the guess).
    #[arg(long = "proto-default", value_name = "PROTOCOL")]
    pub proto_default: Option<String>,

    /// Include the response heads in the output, before the body.
    #[arg(short = 'i', long = "include")]
    pub include: bool,

    /// Write the response heads to FILE (`-`: standard output).
    #[arg(short = 'D', long = "dump-header", value_name = "FILE")]
    pub dump_header: Option<PathBuf>,

    /// User-Agent to send (default: starling/VERSION).
    #[arg(short = 'A', long = "user-agent", value_name = "NAME")]
    pub user_agent: Option<String>,

    /// Referer to send.
    #[arg(short = 'e', long = "referer", value_name = "URL")]
    pub referer: Option<String>,

    /// The server's credentials, USER:PASSWORD (sent with Basic unless
    /// --digest or --anyauth says otherwise).
    #[arg(short = 'u', long = "user", value_name = "USER:PASSWORD")]
    pub user: Option<String>,

    /// Authenticate with Basic (the default).
    #[arg(long = "basic", overrides_with_all = ["digest", "anyauth"])]
    pub basic: bool,

    /// Authenticate with Digest (MD5, SHA-256, SHA-512/256), answering the
    /// server's challenge.
    #[arg(long = "digest", overrides_with_all = ["basic", "anyauth"])]
    pub digest: bool,

    /// Ask first, then authenticate with the strongest method the server
    /// offers.
    #[arg(long = "anyauth", overrides_with_all = ["basic", "digest"])]
    pub anyauth: bool,

    /// Read the server's credentials from ~/.netrc (the URL's password
    /// gives way to the file's).
    #[arg(short = 'n', long = "netrc")]
    pub netrc: bool,

    /// Read ~/.netrc when the URL gives no password.
    #[arg(long = "netrc-optional")]
    pub netrc_optional: bool,

    /// Read this file instead of ~/.netrc (as --netrc, or with
    /// --netrc-optional as that).
    #[arg(long = "netrc-file", value_name = "FILE")]
    pub netrc_file: Option<std::path::PathBuf>,

    /// Send this bearer token (`Authorization: Bearer TOKEN`).
    #[arg(long = "oauth2-bearer", value_name = "TOKEN")]
    pub oauth2_bearer: Option<String>,

    /// Send the credentials (-u, URL credentials) to the hosts redirects
    /// lead to as well, not only to the first one.
    #[arg(long = "location-trusted")]
    pub location_trusted: bool,

    /// Use this proxy, [SCHEME://][USER:PASSWORD@]HOST[:PORT] (port 1080
    /// when none, 443 for https://). An HTTP proxy (http://, the default)
    /// takes http:// URLs in absolute form and https:// ones (http:// too
    /// with -p) through a CONNECT tunnel; an HTTPS proxy (https://) does
    /// the same inside TLS, verified with --proxy-cacert; socks4://,
    /// socks4a://, socks5:// and socks5h:// proxies connect to the origin
    /// (socks4a and socks5h resolving its name). Without it, curl's
    /// environment variables (http_proxy, https_proxy, all_proxy) apply.
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,

    /// Hosts that go direct, not through the proxy: names (with the names
    /// below them), addresses and ranges (10.0.0.0/8), comma-separated, or
    /// `*` for all (else no_proxy/NO_PROXY).
    #[arg(long = "noproxy", value_name = "HOSTS")]
    pub noproxy: Option<String>,

    /// Use this SOCKS4 proxy, HOST[:PORT], the origin's name resolved
    /// here (wins over -x).
    #[arg(long = "socks4", value_name = "HOST[:PORT]")]
    pub socks4: Option<String>,

    /// Use this SOCKS4a proxy, HOST[:PORT], which resolves the origin's
    /// name (wins over -x).
    #[arg(long = "socks4a", value_name = "HOST[:PORT]")]
    pub socks4a: Option<String>,

    /// Use this SOCKS5 proxy, HOST[:PORT], the origin's name resolved
    /// here (wins over -x).
    #[arg(long = "socks5", value_name = "HOST[:PORT]")]
    pub socks5: Option<String>,

    /// Use this SOCKS5 proxy, HOST[:PORT], which resolves the origin's
    /// name (wins over -x).
    #[arg(long = "socks5-hostname", value_name = "HOST[:PORT]")]
    pub socks5_hostname: Option<String>,

    /// Reach the HTTP proxy (-x) through this SOCKS proxy,
    /// SCHEME://HOST[:PORT] (socks4://, socks4a://, socks5://, socks5h://).
    #[arg(long = "preproxy", value_name = "URL")]
    pub preproxy: Option<String>,

    /// Send http:// URLs through a CONNECT tunnel too (https:// always
    /// tunnels).
    #[arg(short = 'p', long = "proxytunnel")]
    pub proxytunnel: bool,

    /// The proxy's credentials, USER:PASSWORD (a proxy URL's own win, as
    /// in curl).
    #[arg(short = 'U', long = "proxy-user", value_name = "USER:PASSWORD")]
    pub proxy_user: Option<String>,

    /// Authenticate with the proxy with Basic (the default).
    #[arg(long = "proxy-basic", overrides_with_all = ["proxy_digest", "proxy_anyauth"])]
    pub proxy_basic: bool,

    /// Authenticate with the proxy with Digest.
    #[arg(long = "proxy-digest", overrides_with_all = ["proxy_basic", "proxy_anyauth"])]
    pub proxy_digest: bool,

    /// Authenticate with the proxy with the strongest method it offers.
    #[arg(long = "proxy-anyauth", overrides_with_all = ["proxy_basic", "proxy_digest"])]
    pub proxy_anyauth: bool,

    /// Send cookies: NAME=VALUE[; …] as it is, or (without a `=`) read a
    /// cookie file (Netscape format, or Set-Cookie lines) into the run's
    /// cookie jar, which learns from every response.
    #[arg(short = 'b', long = "cookie", value_name = "DATA|FILE")]
    pub cookie: Option<String>,

    /// Write the run's cookie jar to FILE (Netscape format) when the run
    /// ends ("-" for standard output).
    #[arg(short = 'c', long = "cookie-jar", value_name = "FILE")]
    pub cookie_jar: Option<String>,

    /// Leave the session cookies of -b's file out (a new session).
    #[arg(short = 'j', long = "junk-session-cookies")]
    pub junk_session_cookies: bool,

    /// Resume a download at OFFSET, or where the output file ends (`-`).
    #[arg(
        short = 'C',
        long = "continue-at",
        value_name = "OFFSET",
        allow_hyphen_values = true
    )]
    pub continue_at: Option<String>,

    /// A multipart form field: NAME=VALUE, NAME=@FILE (a file upload),
    /// NAME=<FILE (a file's contents as the value); `;type=` sets a part's
    /// content type, `;filename=` its file name.
    #[arg(short = 'F', long = "form", value_name = "NAME=CONTENT")]
    pub form: Vec<String>,

    /// Send the -d data in the URL's query with GET.
    #[arg(short = 'G', long = "get")]
    pub get: bool,

    /// JSON request body (`@FILE` reads a file); sets the JSON content
    /// type and accept headers.
    #[arg(long = "json", value_name = "DATA")]
    pub json: Vec<String>,

    /// As -f, but write the error response's body too.
    #[arg(long = "fail-with-body", conflicts_with = "fail")]
    pub fail_with_body: bool,

    /// Hold each download to SPEED bytes per second on average (`k`, `m`,
    /// `g` suffixes: 1024-based).
    #[arg(long = "limit-rate", value_name = "SPEED")]
    pub limit_rate: Option<String>,

    /// Largest body accepted, in bytes (exit 63 beyond it).
    #[arg(long = "max-filesize", value_name = "BYTES")]
    pub max_filesize: Option<u64>,

    /// Abort a transfer slower than BYTES per second for --speed-time
    /// seconds (exit 28).
    #[arg(short = 'Y', long = "speed-limit", value_name = "BYTES")]
    pub speed_limit: Option<u64>,

    /// Seconds for --speed-limit (default 30).
    #[arg(short = 'y', long = "speed-time", value_name = "SECONDS")]
    pub speed_time: Option<u64>,

    /// Retry on any error, not only transient ones (with --retry).
    #[arg(long = "retry-all-errors")]
    pub retry_all_errors: bool,

    /// Save the response's ETag to FILE.
    #[arg(long = "etag-save", value_name = "FILE")]
    pub etag_save: Option<PathBuf>,

    /// Send the ETag in FILE as If-None-Match.
    #[arg(long = "etag-compare", value_name = "FILE")]
    pub etag_compare: Option<PathBuf>,

    /// Speak HTTP/1.1 only.
    #[arg(long = "http1.1")]
    pub http1_1: bool,

    /// Offer HTTP/2 to HTTPS servers (ALPN), the default; those that
    /// decline, and http:// URLs, get HTTP/1.1. Transfers to one host
    /// share one connection.
    #[arg(long = "http2")]
    pub http2: bool,

    /// Speak HTTP/2 from the first byte, without negotiation (also over
    /// http://).
    #[arg(long = "http2-prior-knowledge")]
    pub http2_prior_knowledge: bool,

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

    /// Extra header for the proxy only, "Name: value": after the request's
    /// own on requests to an HTTP proxy, alone on a CONNECT (where it
    /// replaces or, as "Name:", removes Host, User-Agent or
    /// Proxy-Connection).
    #[arg(long = "proxy-header", value_name = "HEADER")]
    pub proxy_headers: Vec<String>,

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

    /// Accept any TLS certificate from an HTTPS proxy (the origin is
    /// verified as before).
    #[arg(long = "proxy-insecure")]
    pub proxy_insecure: bool,

    /// Trust the CA certificates in this PEM file for an HTTPS proxy
    /// (--cacert is for the origin only).
    #[arg(long = "proxy-cacert", value_name = "FILE")]
    pub proxy_cacert: Option<PathBuf>,

    /// Trust the CA certificates in this directory for an HTTPS proxy.
    #[arg(long = "proxy-capath", value_name = "DIR")]
    pub proxy_capath: Option<PathBuf>,

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

    /// For a request to HOST1:PORT1, connect to HOST2:PORT2 instead (the
    /// request still names HOST1); empty parts match any or keep the
    /// request's own.
    #[arg(long = "connect-to", value_name = "HOST1:PORT1:HOST2:PORT2")]
    pub connect_to: Vec<String>,

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
