//! The options every transfer of a run shares, made once from the command
//! line, and how they are set on each transfer's handle.

use std::cell::RefCell;
use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use starling::http1::HeaderEntry;
use starling::{Easy, Error, ErrorKind, HttpVersion, IpResolve, Method, ProxyKind, ProxySetting};

use crate::args::Args;
use crate::cookies::Cookies;
use crate::credentials::Credentials;
use crate::{form, writeout};

/// Where `-D` writes the heads of every transfer of the run.
pub type HeadDump = Rc<RefCell<Box<dyn Write>>>;

/// `-C`: where a download resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// At this byte offset.
    At(u64),
    /// Where the output file ends (`-C -`).
    FromFile,
}

/// The options every transfer of the run shares.
pub struct Settings {
    pub method: Option<Method>,
    /// `-H` headers as typed.
    pub headers: Vec<String>,
    /// `--proxy-header` headers as typed.
    pub proxy_headers: Vec<String>,
    /// Headers the flags make (User-Agent, Referer,
    /// Content-Type, Accept, If-None-Match), but those `-H` names (sets or
    /// removes), which were left out once for the whole run.
    pub implied_headers: Vec<(String, String)>,
    /// The request body, shared by every transfer (never copied per
    /// transfer: 50 parallel POSTs of a 20 MB file hold it once).
    pub body: Option<Bytes>,
    /// `-G`: the `-d` data goes into each URL's query instead.
    pub query: Option<String>,
    pub upload_file: Option<PathBuf>,
    pub head: bool,
    /// `-i`: heads go to the output before the body.
    pub include: bool,
    /// `-D`: heads go here.
    pub dump_header: Option<HeadDump>,
    pub location: bool,
    pub max_redirs: Option<u32>,
    pub compressed: bool,
    /// `--http1.1`, `--http2`, `--http2-prior-knowledge`.
    pub http_version: HttpVersion,
    /// `--tr-encoding`.
    pub tr_encoding: bool,
    /// `--proto-default`.
    pub default_protocol: Option<String>,
    /// `-4` / `-6`.
    pub ip_resolve: IpResolve,
    pub insecure: bool,
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    /// `--proxy-insecure`, `--proxy-cacert`, `--proxy-capath`.
    pub proxy_insecure: bool,
    pub proxy_cacert: Option<PathBuf>,
    pub proxy_capath: Option<PathBuf>,
    pub connect_timeout: Option<Duration>,
    pub max_time: Option<Duration>,
    pub max_filesize: Option<u64>,
    /// `--limit-rate`, bytes per second.
    pub limit_rate: Option<u64>,
    /// `-Y` and `-y`.
    pub low_speed: Option<(u64, Duration)>,
    pub resolve: Vec<String>,
    /// `--connect-to` entries, in the order given.
    pub connect_to: Vec<String>,
    pub retry: u32,
    pub retry_delay: Option<Duration>,
    pub retry_all_errors: bool,
    pub output_dir: Option<PathBuf>,
    pub create_dirs: bool,
    pub resume: Option<Resume>,
    pub etag_save: Option<PathBuf>,
    /// `-x` or `--socks5` and kin: the proxy and the kind of one named
    /// without a scheme (else the environment's, which the library reads).
    pub proxy: Option<(String, ProxyKind)>,
    /// `--noproxy`.
    pub noproxy: Option<String>,
    /// `-u`, `--digest`, `-U` and their kin.
    pub credentials: Credentials,
    /// `-b`, `-c`, `-j`: the run's cookie jar.
    pub cookies: Cookies,
    /// `--preproxy`.
    pub preproxy: Option<String>,
    /// `-p`: http:// through a tunnel too.
    pub proxytunnel: bool,
    pub silent: bool,
    pub show_error: bool,
    pub verbose: bool,
    pub fail: bool,
    /// `--fail-with-body`: exit 22 on a status of 400 or more, body kept.
    pub fail_with_body: bool,
    pub write_out: Option<String>,
    pub report: Option<PathBuf>,
    /// The demo prints its own summary only.
    pub demo_quiet: bool,
}

/// An error of the command line: its message and exit code.
pub struct UsageError {
    pub message: String,
    pub code: u8,
}

impl From<String> for UsageError {
    fn from(message: String) -> UsageError {
        UsageError { message, code: 2 }
    }
}

impl Settings {
    /// The settings of a command line.
    pub fn from_args(args: &Args) -> Result<Settings, UsageError> {
        Ok(settings(args)?)
    }

    /// The method requests are sent with.
    pub fn method_name(&self) -> String {
        match (&self.method, self.head, &self.upload_file, &self.body) {
            (Some(m), ..) => m.to_string(),
            (None, true, ..) => "HEAD".into(),
            (None, _, Some(_), _) => "PUT".into(),
            (None, _, _, Some(_)) => "POST".into(),
            _ => "GET".into(),
        }
    }

    /// The URL a job fetches: with `-G`, the data joins its query.
    pub fn job_url(&self, url: &str) -> String {
        match &self.query {
            None => url.to_string(),
            Some(query) => {
                let (base, fragment) = match url.split_once('#') {
                    Some((b, f)) => (b, Some(f)),
                    None => (url, None),
                };
                let sep = if base.contains('?') { '&' } else { '?' };
                let mut out = format!("{base}{sep}{query}");
                if let Some(f) = fragment {
                    out.push('#');
                    out.push_str(f);
                }
                out
            }
        }
    }

    /// Sets these options on a handle.
    pub fn apply(&self, easy: &mut Easy) -> Result<(), Error> {
        let method = self.method_name();
        easy.method(Method::from_bytes(method.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid method \"{method}\""),
            )
        })?);
        for (name, value) in &self.implied_headers {
            easy.header(name, value)?;
        }
        for header in &self.headers {
            // `Name:` (no value) removes a header Starling would send;
            // `Name;` sends it empty.
            let entry = header_entry(header)?;
            if easy.headers_mut().append_entry(&entry).is_err() {
                return Err(Error::new(
                    ErrorKind::BadFunctionArgument,
                    format!("invalid header \"{header}\""),
                ));
            }
        }
        for header in &self.proxy_headers {
            let entry = header_entry(header)?;
            if easy.proxy_headers_mut().append_entry(&entry).is_err() {
                return Err(Error::new(
                    ErrorKind::BadFunctionArgument,
                    format!("invalid proxy header \"{header}\""),
                ));
            }
        }
        if let Some(body) = &self.body {
            easy.body(body.clone());
        }
        easy.follow_location(self.location);
        if let Some(n) = self.max_redirs {
            easy.max_redirects(n);
        }
        if self.compressed {
            easy.accept_encoding(Some(""));
        }
        easy.http_version(self.http_version);
        easy.transfer_encoding(self.tr_encoding);
        if let Some(scheme) = &self.default_protocol {
            easy.default_protocol(Some(scheme));
        }
        if self.ip_resolve != IpResolve::Whatever {
            easy.ip_resolve(self.ip_resolve);
        }
        if self.insecure {
            easy.insecure(true);
        }
        if let Some(path) = &self.cacert {
            easy.cainfo(path);
        }
        if let Some(dir) = &self.capath {
            easy.capath(dir);
        }
        if self.proxy_insecure {
            easy.proxy_insecure(true);
        }
        if let Some(path) = &self.proxy_cacert {
            easy.proxy_cainfo(path);
        }
        if let Some(dir) = &self.proxy_capath {
            easy.proxy_capath(dir);
        }
        if let Some(limit) = self.connect_timeout {
            easy.connect_timeout(limit);
        }
        if let Some(limit) = self.max_time {
            easy.timeout(limit);
        }
        if let Some(max) = self.max_filesize {
            easy.max_filesize(Some(max));
        }
        if let Some((bytes, time)) = self.low_speed {
            easy.low_speed_limit(bytes, time);
        }
        for entry in &self.resolve {
            easy.resolve_str(entry)?;
        }
        if !self.connect_to.is_empty() {
            // As curl reads them: an entry that cannot be read never
            // applies; a malformed one that applies fails with 49.
            easy.connect_to_as_libcurl(&self.connect_to);
        }
        if let Some((proxy, kind)) = &self.proxy {
            easy.proxy(ProxySetting::Url(proxy.clone()));
            easy.proxy_type(*kind);
        }
        if self.preproxy.is_some() {
            easy.pre_proxy(self.preproxy.as_deref());
        }
        if self.noproxy.is_some() {
            easy.noproxy(self.noproxy.as_deref());
        }
        if self.proxytunnel {
            easy.proxy_tunnel(true);
        }
        self.credentials.apply(easy)?;
        self.cookies.apply(easy);
        Ok(())
    }
}

/// `--socks4`, `--socks4a`, `--socks5`, `--socks5-hostname`: the proxy
/// and its kind (the string's own scheme, if any, still decides, as in
/// curl).
fn socks_proxy(args: &Args) -> Option<(String, ProxyKind)> {
    [
        (&args.socks5_hostname, ProxyKind::Socks5Hostname),
        (&args.socks5, ProxyKind::Socks5),
        (&args.socks4a, ProxyKind::Socks4a),
        (&args.socks4, ProxyKind::Socks4),
    ]
    .into_iter()
    .find_map(|(given, kind)| given.clone().map(|p| (p, kind)))
}

/// A header as typed, `Name: value` (or `Name:`, `Name;`), read as curl
/// reads it.
fn header_entry(header: &str) -> Result<HeaderEntry<'_>, Error> {
    HeaderEntry::read(header).ok_or_else(|| {
        Error::new(
            ErrorKind::BadFunctionArgument,
            format!("invalid header \"{header}\": expected \"Name: value\""),
        )
    })
}

/// Seconds from the command line as a duration.
fn seconds(value: Option<f64>, flag: &str) -> Result<Option<Duration>, String> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(format!("{flag}: {s} is not a number of seconds")),
    }
}

/// A `-d`-style value: itself, or `@FILE` read from a file (`@-`: stdin).
fn data_arg(arg: &str) -> Result<Vec<u8>, String> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut data = Vec::new();
            io::Read::read_to_end(&mut io::stdin(), &mut data)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            Ok(data)
        }
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}")),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

/// `-d` and `--data-binary` values, `@FILE` read from files, joined by `&`.
fn request_body(args: &Args) -> Result<Option<Vec<u8>>, String> {
    if args.data.is_empty() && args.data_binary.is_empty() {
        return Ok(None);
    }
    let mut parts = Vec::new();
    for arg in &args.data {
        // -d drops line breaks of files, as curl does.
        let mut data = data_arg(arg)?;
        if arg.starts_with('@') {
            data.retain(|&b| b != b'\n' && b != b'\r');
        }
        parts.push(data);
    }
    for arg in &args.data_binary {
        parts.push(data_arg(arg)?);
    }
    Ok(Some(parts.join(&b'&')))
}

/// The URLs of the arguments, `--url` and the `--url-file` files, in order.
pub fn urls(args: &Args) -> Result<Vec<String>, String> {
    let mut urls = args.urls.clone();
    urls.extend(args.url.iter().cloned());
    for input in &args.url_file {
        let reader: Box<dyn BufRead> = if input == "-" {
            Box::new(io::BufReader::new(io::stdin()))
        } else {
            let file = std::fs::File::open(input).map_err(|e| format!("cannot read {input}: {e}"))?;
            Box::new(io::BufReader::new(file))
        };
        for line in reader.lines() {
            let line = line.map_err(|e| format!("cannot read {input}: {e}"))?;
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('#') {
                urls.push(line.to_string());
            }
        }
    }
    Ok(urls)
}

/// The headers the flags imply.
fn implied_headers(args: &Args, form_type: Option<String>) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    // curl sends curl/VERSION; `-A ""` sends none.
    match args.user_agent.as_deref() {
        None => headers.push((
            "User-Agent".to_string(),
            concat!("starling/", env!("CARGO_PKG_VERSION")).to_string(),
        )),
        Some("") => {}
        Some(agent) => headers.push(("User-Agent".into(), agent.into())),
    }
    if let Some(referer) = &args.referer {
        headers.push(("Referer".into(), referer.clone()));
    }
    if let Some(content_type) = form_type {
        headers.push(("Content-Type".into(), content_type));
    } else if !args.json.is_empty() {
        headers.push(("Content-Type".into(), "application/json".into()));
        headers.push(("Accept".into(), "application/json".into()));
    } else if (!args.data.is_empty() || !args.data_binary.is_empty()) && !args.get {
        headers.push(("Content-Type".into(), "application/x-www-form-urlencoded".into()));
    }
    if let Some(path) = &args.etag_compare {
        // A missing file means no ETag yet: the request is unconditional.
        if let Ok(text) = std::fs::read_to_string(path) {
            let etag = text.lines().next().unwrap_or("").trim();
            if !etag.is_empty() {
                headers.push(("If-None-Match".into(), etag.to_string()));
            }
        }
    }
    // `-H` wins over the flags, as in curl.
    let user_sets = |name: &str| {
        args.headers
            .iter()
            .any(|h| HeaderEntry::read(h).is_some_and(|e| e.name.eq_ignore_ascii_case(name)))
    };
    headers.retain(|(name, _)| !user_sets(name));
    Ok(headers)
}

/// `-D FILE`: truncated once, then every head of the run appended.
fn head_dump(path: &std::path::Path) -> Result<HeadDump, String> {
    let out: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(io::stdout())
    } else {
        Box::new(
            std::fs::File::create(path).map_err(|e| format!("-D: cannot write {}: {e}", path.display()))?,
        )
    };
    Ok(Rc::new(RefCell::new(out)))
}

fn settings(args: &Args) -> Result<Settings, String> {
    let method = match &args.request {
        Some(m) => Some(Method::from_bytes(m.as_bytes()).map_err(|_| format!("-X: invalid method \"{m}\""))?),
        None => None,
    };
    let write_out = match &args.write_out {
        Some(format) => Some(writeout::load_format(format).map_err(|e| format!("-w: {e}"))?),
        None => None,
    };
    let bodies = [
        !args.data.is_empty() || !args.data_binary.is_empty(),
        !args.form.is_empty(),
        !args.json.is_empty(),
    ];
    if bodies.iter().filter(|b| **b).count() > 1 {
        return Err("-d/--data-binary, -F and --json cannot be mixed".into());
    }
    let form = if args.form.is_empty() {
        None
    } else {
        Some(form::build(&args.form)?)
    };
    let (body, query) = if let Some(form) = &form {
        (Some(form.body.clone()), None)
    } else if !args.json.is_empty() {
        let mut body = Vec::new();
        for arg in &args.json {
            body.extend_from_slice(&data_arg(arg)?);
        }
        (Some(body), None)
    } else if args.get {
        let query = request_body(args)?.map(|b| String::from_utf8_lossy(&b).into_owned());
        (None, query)
    } else {
        (request_body(args)?, None)
    };
    let resume = match args.continue_at.as_deref() {
        None => None,
        Some("-") => Some(Resume::FromFile),
        Some(n) => Some(Resume::At(
            n.parse()
                .map_err(|_| format!("-C: {n} is not a byte offset (or '-')"))?,
        )),
    };
    Ok(Settings {
        method: match (method, args.get) {
            (None, true) if args.head => Some(Method::HEAD),
            (None, true) => Some(Method::GET),
            (m, _) => m,
        },
        headers: args.headers.clone(),
        proxy_headers: args.proxy_headers.clone(),
        implied_headers: implied_headers(args, form.map(|f| f.content_type))?,
        body: body.map(Bytes::from),
        query,
        upload_file: args.upload_file.clone(),
        head: args.head,
        include: args.include,
        dump_header: args.dump_header.as_deref().map(head_dump).transpose()?,
        location: args.location,
        max_redirs: args.max_redirs,
        compressed: args.compressed,
        // The last word wins in curl; here the strongest does. Without
        // one, HTTP/2 over TLS when the server agrees, as curl.
        http_version: if args.http2_prior_knowledge {
            HttpVersion::Http2PriorKnowledge
        } else if args.http1_1 && !args.http2 {
            HttpVersion::Http11
        } else {
            HttpVersion::Http2
        },
        tr_encoding: args.tr_encoding,
        default_protocol: args.proto_default.clone(),
        ip_resolve: match (args.ipv4, args.ipv6) {
            (true, _) => IpResolve::V4,
            (_, true) => IpResolve::V6,
            _ => IpResolve::Whatever,
        },
        insecure: args.insecure,
        cacert: args.cacert.clone(),
        capath: args.capath.clone(),
        proxy_insecure: args.proxy_insecure,
        proxy_cacert: args.proxy_cacert.clone(),
        proxy_capath: args.proxy_capath.clone(),
        connect_timeout: seconds(args.connect_timeout, "--connect-timeout")?,
        max_time: seconds(args.max_time, "--max-time")?,
        max_filesize: args.max_filesize,
        limit_rate: args
            .limit_rate
            .as_deref()
            .map(crate::rate_limit::parse_speed)
            .transpose()?,
        low_speed: match (args.speed_limit, args.speed_time) {
            (None, None) => None,
            // curl: -y alone means a limit of 1 byte per second.
            (limit, time) => Some((limit.unwrap_or(1), Duration::from_secs(time.unwrap_or(30)))),
        },
        resolve: args.resolve.clone(),
        connect_to: args.connect_to.clone(),
        retry: args.retry,
        retry_delay: seconds(args.retry_delay, "--retry-delay")?.filter(|d| !d.is_zero()),
        retry_all_errors: args.retry_all_errors,
        output_dir: args.output_dir.clone(),
        create_dirs: args.create_dirs,
        resume,
        etag_save: args.etag_save.clone(),
        proxy: socks_proxy(args).or_else(|| args.proxy.clone().map(|p| (p, ProxyKind::Http))),
        noproxy: args.noproxy.clone(),
        proxytunnel: args.proxytunnel,
        preproxy: args.preproxy.clone(),
        credentials: Credentials::from_args(args)?,
        cookies: Cookies::from_args(args),
        silent: args.silent,
        show_error: args.show_error,
        verbose: args.verbose,
        fail: args.fail,
        fail_with_body: args.fail_with_body,
        write_out,
        report: args.report.clone(),
        demo_quiet: false,
    })
}
