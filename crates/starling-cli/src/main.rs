//! `starling`: fetch many URLs at once from one thread, curl-style, on
//! Starling's engine. See `starling --help`.

mod args;
mod demo;
mod destination;
mod outcome;
mod output;
mod progress;
mod report;
mod run;
mod signals;
mod sink;
mod writeout;

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use starling::{Easy, Error, ErrorKind, IpResolve, Method};

use args::Args;
use bytes::Bytes;
use run::{Job, Output, Summary};

/// The exit code of a usage error (as clap's own).
const USAGE: u8 = 2;

/// The options every transfer of the run shares.
pub struct Settings {
    pub method: Option<Method>,
    pub headers: Vec<String>,
    /// The request body, shared by every transfer (never copied per
    /// transfer: 50 parallel POSTs of a 20 MB file hold it once).
    pub body: Option<Bytes>,
    pub upload_file: Option<PathBuf>,
    pub head: bool,
    pub location: bool,
    pub max_redirs: Option<u32>,
    pub compressed: bool,
    /// `--tr-encoding`.
    pub tr_encoding: bool,
    /// `-4` / `-6`.
    pub ip_resolve: IpResolve,
    pub insecure: bool,
    pub cacert: Option<PathBuf>,
    pub capath: Option<PathBuf>,
    pub connect_timeout: Option<Duration>,
    pub max_time: Option<Duration>,
    pub resolve: Vec<String>,
    pub retry: u32,
    pub retry_delay: Option<Duration>,
    pub output_dir: Option<PathBuf>,
    pub create_dirs: bool,
    pub silent: bool,
    pub show_error: bool,
    pub verbose: bool,
    pub fail: bool,
    pub write_out: Option<String>,
    pub report: Option<PathBuf>,
    /// The demo prints its own summary only.
    pub demo_quiet: bool,
}

impl Settings {
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

    /// Sets these options on a handle.
    pub fn apply(&self, easy: &mut Easy) -> Result<(), Error> {
        let method = self.method_name();
        easy.method(Method::from_bytes(method.as_bytes()).map_err(|_| {
            Error::new(
                ErrorKind::BadFunctionArgument,
                format!("invalid method {method:?}"),
            )
        })?);
        for header in &self.headers {
            let (name, value) = header.split_once(':').ok_or_else(|| {
                Error::new(
                    ErrorKind::BadFunctionArgument,
                    format!("invalid header {header:?}: expected \"Name: value\""),
                )
            })?;
            easy.header(name.trim(), value.trim())?;
        }
        if let Some(body) = &self.body {
            easy.body(body.clone());
            if !self
                .headers
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("content-type:"))
            {
                easy.header("Content-Type", "application/x-www-form-urlencoded")?;
            }
        }
        easy.follow_location(self.location);
        if let Some(n) = self.max_redirs {
            easy.max_redirects(n);
        }
        if self.compressed {
            easy.accept_encoding(Some(""));
        }
        easy.transfer_encoding(self.tr_encoding);
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
        if let Some(limit) = self.connect_timeout {
            easy.connect_timeout(limit);
        }
        if let Some(limit) = self.max_time {
            easy.timeout(limit);
        }
        for entry in &self.resolve {
            easy.resolve_str(entry)?;
        }
        Ok(())
    }
}

/// Seconds from the command line as a duration.
fn seconds(value: Option<f64>, flag: &str) -> Result<Option<Duration>, String> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(format!("{flag}: {s} is not a number of seconds")),
    }
}

/// `-d` and `--data-binary` values, `@FILE` read from files.
fn request_body(args: &Args) -> Result<Option<Vec<u8>>, String> {
    if args.data.is_empty() && args.data_binary.is_empty() {
        return Ok(None);
    }
    let read = |arg: &str| -> Result<Vec<u8>, String> {
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
    };
    let mut parts = Vec::new();
    for arg in &args.data {
        // -d drops line breaks of files, as curl does.
        let mut data = read(arg)?;
        if arg.starts_with('@') {
            data.retain(|&b| b != b'\n' && b != b'\r');
        }
        parts.push(data);
    }
    for arg in &args.data_binary {
        parts.push(read(arg)?);
    }
    Ok(Some(parts.join(&b'&')))
}

/// The URLs of the arguments and of the `-i` files, in order.
fn urls(args: &Args) -> Result<Vec<String>, String> {
    let mut urls = args.urls.clone();
    for input in &args.input {
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

fn settings(args: &Args) -> Result<Settings, String> {
    let method = match &args.request {
        Some(m) => Some(Method::from_bytes(m.as_bytes()).map_err(|_| format!("-X: invalid method {m:?}"))?),
        None => None,
    };
    let write_out = match &args.write_out {
        Some(format) => Some(writeout::load_format(format).map_err(|e| format!("-w: {e}"))?),
        None => None,
    };
    Ok(Settings {
        method,
        headers: args.headers.clone(),
        body: request_body(args)?.map(Bytes::from),
        upload_file: args.upload_file.clone(),
        head: args.head,
        location: args.location,
        max_redirs: args.max_redirs,
        compressed: args.compressed,
        tr_encoding: args.tr_encoding,
        ip_resolve: match (args.ipv4, args.ipv6) {
            (true, _) => IpResolve::V4,
            (_, true) => IpResolve::V6,
            _ => IpResolve::Whatever,
        },
        insecure: args.insecure,
        cacert: args.cacert.clone(),
        capath: args.capath.clone(),
        connect_timeout: seconds(args.connect_timeout, "--connect-timeout")?,
        max_time: seconds(args.max_time, "--max-time")?,
        resolve: args.resolve.clone(),
        retry: args.retry,
        retry_delay: seconds(args.retry_delay, "--retry-delay")?.filter(|d| !d.is_zero()),
        output_dir: args.output_dir.clone(),
        create_dirs: args.create_dirs,
        silent: args.silent,
        show_error: args.show_error,
        verbose: args.verbose,
        fail: args.fail,
        write_out,
        report: args.report.clone(),
        demo_quiet: false,
    })
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("starling: {message}");
    eprintln!("starling: try 'starling --help' for more information");
    ExitCode::from(USAGE)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut settings = match settings(&args) {
        Ok(s) => s,
        Err(e) => return usage_error(&e),
    };
    signals::install();
    if let Some(n) = args.demo {
        settings.demo_quiet = true;
        let parallel = args.parallel_max.unwrap_or(1000) as usize;
        return match demo::run_demo(&settings, n, parallel) {
            Ok(summary) => ended(summary, true),
            Err(e) => {
                eprintln!("starling: demo failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let urls = match urls(&args) {
        Ok(urls) => urls,
        Err(e) => return usage_error(&e),
    };
    if urls.is_empty() {
        return usage_error("no URL given (give URLs, -i FILE, or --demo)");
    }
    if args.output.len() > urls.len() {
        return usage_error("more -o files than URLs");
    }
    let jobs: Vec<Job> = urls
        .into_iter()
        .enumerate()
        .map(|(i, url)| {
            let output = match args.output.get(i) {
                // curl's `-o -`: standard output, whatever --output-dir says.
                Some(name) if name.as_os_str() == "-" => Output::Stdout,
                Some(name) => Output::File {
                    name: Some(name.clone()),
                    remote: false,
                },
                None if args.remote_name => Output::File {
                    name: None,
                    remote: true,
                },
                None => Output::Stdout,
            };
            Job {
                url,
                output,
                attempts: 0,
            }
        })
        .collect();
    let many = jobs.len() > 1;
    let parallel = if args.parallel {
        args.parallel_max.unwrap_or(50) as usize
    } else {
        1
    };
    match run::run(&settings, jobs, parallel) {
        Ok(summary) => ended(summary, many && !settings.silent),
        Err(e) => {
            eprintln!("starling: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The end of a run: its summary line (always after a stopping signal),
/// then the exit code, or death by the signal that stopped it.
fn ended(summary: Summary, print: bool) -> ExitCode {
    if print || summary.signal.is_some() {
        eprintln!("{}", summary.line);
    }
    if let Some(signal) = summary.signal {
        let _ = io::Write::flush(&mut io::stdout());
        signals::reraise(signal);
    }
    ExitCode::from(summary.exit_code.clamp(0, 255) as u8)
}
