//! The run: jobs fed to the engine's blocking driver, at most
//! `parallel` at a time; finished transfers become [`Outcome`]s, retried
//! when transient, then written out, reported and counted.

use std::cell::Cell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

use starling::drive::Blocking;
use starling::{Easy, Error, ErrorKind, Method, Pause, TransferId};
use starling_testserver::PatternChecker;

use crate::destination::{is_stdout, InPlaceFile};
use crate::outcome::Outcome;
use crate::output::{remote_name, target_path, PartFile};
use crate::progress::Progress;
use crate::rate_limit::Limiter;
use crate::report::json_line;
use crate::settings::Resume;
use crate::settings::Settings;
use crate::sink::{Body, Sink};
use crate::writeout::render;

/// curl's exit code for a server that ignored a resume's range
/// (CURLE_RANGE_ERROR).
const RANGE_ERROR: i32 = 33;

/// Where one URL's body goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// Standard output.
    Stdout,
    /// A file: a name given with -o, or the URL's remote name with -O.
    File { name: Option<PathBuf>, remote: bool },
    /// Checked against the demo server's pattern of `len` bytes.
    Verify { seed: u64, len: u64 },
}

/// One URL to fetch.
#[derive(Debug, Clone)]
pub struct Job {
    pub url: String,
    pub output: Output,
    /// Attempts made so far.
    pub attempts: u32,
}

/// What a whole run came to.
pub struct Summary {
    /// curl's exit code: 0, or the last failure's code.
    pub exit_code: i32,
    /// The summary line.
    pub line: String,
    /// The signal that stopped the run, which the process is to die of.
    pub signal: Option<i32>,
}

/// A job in flight, with what its outcome needs.
struct Running {
    job: Job,
    output_path: Option<PathBuf>,
    /// When a transfer paused by `--limit-rate` may go on.
    resume_at: Option<Rc<Cell<Option<Instant>>>>,
    /// The job's place in the run's list (`%{urlnum}`).
    urlnum: usize,
    /// The attempt's number among all the run started (`%{xfer_id}`).
    xfer_id: u64,
}

/// Runs every job.
pub fn run(settings: &Settings, jobs: Vec<Job>, parallel: usize) -> io::Result<Summary> {
    let mut driver = Blocking::with_new_multi()?;
    // Each job with its place in the list, which its retries keep.
    let mut pending: VecDeque<(usize, Job)> = jobs.into_iter().enumerate().collect();
    let mut retries: BinaryHeap<Reverse<(Instant, u64, usize)>> = BinaryHeap::new();
    let mut retry_jobs: HashMap<usize, (usize, Job)> = HashMap::new();
    let mut started = 0u64;
    let mut retry_seq = 0u64;
    let mut running: HashMap<TransferId, Running> = HashMap::new();
    let mut progress = Progress::new(pending.len() as u64, settings.silent || settings.demo_quiet);
    let mut report = match &settings.report {
        Some(path) => Some(io::BufWriter::new(File::create(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot write the report {}: {e}", path.display()),
            )
        })?)),
        None => None,
    };
    let mut exit_code = 0;
    loop {
        if let Some(signal) = crate::signals::received() {
            // Removing the transfers drops their sinks: temporary files are
            // removed, none appears under its final name.
            for id in running.keys().copied().collect::<Vec<_>>() {
                drop(driver.remove(id));
            }
            if let Some(report) = report.as_mut() {
                report.flush()?;
            }
            return Ok(Summary {
                exit_code: crate::signals::exit_status(signal).into(),
                line: format!("{} (stopped by signal {signal})", progress.finish()),
                signal: Some(signal),
            });
        }
        let now = Instant::now();
        while running.len() < parallel {
            let (urlnum, job) = match retries.peek() {
                Some(Reverse((at, _, key))) if *at <= now => {
                    let key = *key;
                    retries.pop();
                    retry_jobs.remove(&key).expect("a queued retry")
                }
                _ => match pending.pop_front() {
                    Some(job) => job,
                    None => break,
                },
            };
            match start(settings, &job) {
                Ok((easy, output_path)) => {
                    let resume_at = easy
                        .handler_ref::<Sink>()
                        .and_then(|s| s.limiter.as_ref())
                        .map(|l| l.resume_at.clone());
                    let id = driver.add(easy);
                    let xfer_id = started;
                    started += 1;
                    running.insert(
                        id,
                        Running {
                            job,
                            output_path,
                            resume_at,
                            urlnum,
                            xfer_id,
                        },
                    );
                }
                Err(mut outcome) => {
                    outcome.urlnum = urlnum;
                    exit_code = finish_outcome(settings, &mut progress, &mut report, *outcome, exit_code)?;
                }
            }
        }
        if running.is_empty() && pending.is_empty() && retries.is_empty() {
            break;
        }
        let mut wait = Duration::from_millis(200);
        if let Some(Reverse((at, _, _))) = retries.peek() {
            wait = wait.min(at.saturating_duration_since(now));
        }
        if settings.limit_rate.is_some() {
            wait = wait.min(resume_limited(&mut driver, &running, now)?);
        }
        driver.step(Some(wait))?;
        while let Some(msg) = driver.info_read() {
            let mut easy = driver.remove(msg.id).expect("a finished transfer");
            let run = running.remove(&msg.id).expect("a running job");
            let mut outcome = outcome_of(settings, &run, &mut easy, msg.result);
            let retryable = retryable(settings, &outcome);
            if retryable && run.job.attempts < settings.retry {
                // The sink (and its temporary file) goes with the handle.
                drop(easy);
                let mut job = run.job;
                job.attempts += 1;
                let delay = retry_delay(settings.retry_delay, job.attempts);
                if !settings.silent {
                    progress.println(&format!(
                        "starling: {}: {}; retry {} of {} in {:.1} s",
                        job.url,
                        match (&outcome.error, outcome.status) {
                            (Some(e), _) => e.1.clone(),
                            (None, Some(status)) => format!("HTTP {status}"),
                            (None, None) => "transient failure".into(),
                        },
                        job.attempts,
                        settings.retry,
                        delay.as_secs_f64()
                    ));
                }
                retry_seq += 1;
                retries.push(Reverse((Instant::now() + delay, retry_seq, retry_seq as usize)));
                retry_jobs.insert(retry_seq as usize, (run.urlnum, job));
                continue;
            }
            outcome.retries = run.job.attempts;
            settle_output(settings, &mut easy, &mut outcome);
            exit_code = finish_outcome(settings, &mut progress, &mut report, outcome, exit_code)?;
        }
        if progress.is_drawn() {
            let multi = driver.multi();
            let bytes = running
                .keys()
                .filter_map(|id| multi.info(*id))
                .map(|info| info.body_bytes_delivered)
                .sum();
            progress.update(running.len(), bytes);
        }
    }
    if let Some(report) = report.as_mut() {
        report.flush()?;
    }
    Ok(Summary {
        exit_code,
        line: progress.finish(),
        signal: None,
    })
}

/// Resumes the transfers `--limit-rate` paused whose time has come; the
/// wait until the next one.
fn resume_limited(
    driver: &mut Blocking,
    running: &HashMap<TransferId, Running>,
    now: Instant,
) -> io::Result<Duration> {
    let mut wait = Duration::MAX;
    for (id, run) in running {
        let Some(at) = run.resume_at.as_ref().and_then(|cell| cell.get()) else {
            continue;
        };
        if at <= now {
            run.resume_at.as_ref().expect("checked").set(None);
            driver
                .multi()
                .set_pause(*id, Pause::default())
                .map_err(|e| io::Error::other(e.message().to_string()))?;
        } else {
            wait = wait.min(at - now);
        }
    }
    Ok(wait)
}

/// Makes the handle of a job; an outcome when it cannot even start.
fn start(settings: &Settings, job: &Job) -> Result<(Easy, Option<PathBuf>), Box<Outcome>> {
    let fail = |kind: ErrorKind, message: String| {
        let error = Error::new(kind, message);
        Box::new(Outcome {
            url: job.url.clone(),
            effective_url: job.url.clone(),
            exit_code: error.kind().code() as i32,
            error: Some((format!("{:?}", error.kind()), error.message().to_string())),
            ..Outcome::default()
        })
    };
    // A URL without a scheme is the engine's to guess; its host and path
    // (for -O) read the same under any scheme. Parsed only when needed:
    // 100,000 URLs add up.
    let needs_parse = matches!(job.output, Output::File { name: None, .. });
    let parsed = if needs_parse {
        url::Url::parse(&job.url).or_else(|_| url::Url::parse(&format!("http://{}", job.url)))
    } else {
        Err(url::ParseError::EmptyHost)
    };
    let mut easy = Easy::new(job.url.clone());
    settings
        .apply(&mut easy)
        .map_err(|e| fail(e.kind(), e.message().to_string()))?;
    let mut resume_at = None;
    let (body, path) = match &job.output {
        Output::Stdout => (Body::Stdout, None),
        Output::Verify { seed, .. } => (Body::Verify(PatternChecker::new(*seed)), None),
        Output::File { name, remote } => {
            let name = match (name, remote) {
                (Some(name), _) => name.clone(),
                (None, _) => {
                    let url = parsed
                        .as_ref()
                        .map_err(|e| fail(ErrorKind::UrlMalformed, format!("malformed URL: {e}")))?;
                    PathBuf::from(remote_name(url).map_err(|e| fail(ErrorKind::WriteError, e.to_string()))?)
                }
            };
            let path = target_path(
                settings.output_dir.as_deref(),
                &name,
                *remote,
                settings.create_dirs,
            )
            .map_err(|e| fail(ErrorKind::WriteError, e.to_string()))?;
            if let Some(resume) = settings.resume {
                // Resumed: the rest is appended to what the file holds.
                let offset = match resume {
                    Resume::At(n) => n,
                    Resume::FromFile => std::fs::metadata(&path).map_or(0, |m| m.len()),
                };
                if offset > 0 {
                    easy.header("Range", &format!("bytes={offset}-"))
                        .map_err(|e| fail(e.kind(), e.message().to_string()))?;
                    resume_at = Some(offset);
                }
            }
            if resume_at.is_some() {
                (Body::InPlace(InPlaceFile::appending(&path)), Some(path))
            } else if is_stdout(&path) {
                (Body::Stdout, None)
            } else {
                // What the path is decides how it is written, once the
                // body outgrows memory (PartFile).
                let file = PartFile::create(&path).map_err(|e| {
                    fail(
                        ErrorKind::WriteError,
                        format!("cannot create {}: {e}", path.display()),
                    )
                })?;
                (Body::File(file), Some(path))
            }
        }
    };
    if let (Body::Stdout, Some(Resume::At(offset)), None) = (&body, settings.resume, resume_at) {
        // To standard output: the rest from the offset given.
        if offset > 0 {
            easy.header("Range", &format!("bytes={offset}-"))
                .map_err(|e| fail(e.kind(), e.message().to_string()))?;
            resume_at = Some(offset);
        }
    }
    let mut sink = Sink::new(body);
    sink.fail = settings.fail;
    sink.head_to_body = settings.head || settings.include;
    sink.dump = settings.dump_header.clone();
    sink.resuming = resume_at.is_some();
    sink.keep_etag = settings.etag_save.is_some();
    sink.limiter = settings.limit_rate.map(Limiter::new);
    if let Some(path) = &settings.upload_file {
        let file = File::open(path).map_err(|e| {
            fail(
                ErrorKind::ReadError,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let len = file.metadata().map(|m| m.len()).ok();
        easy.body_from_handler(len).method(Method::PUT);
        if let Some(method) = &settings.method {
            easy.method(method.clone());
        }
        sink.upload = Some(file);
    }
    // `-v`: the engine's trace, which the sink leaves to go to stderr.
    easy.verbose(settings.verbose);
    easy.handler(sink);
    Ok((easy, path))
}

/// The outcome of a finished transfer.
fn outcome_of(settings: &Settings, run: &Running, easy: &mut Easy, result: Result<(), Error>) -> Outcome {
    let referer = easy
        .headers_mut()
        .get("referer")
        .map(|v| String::from_utf8_lossy(v).into_owned());
    let info = easy.info();
    let t = info.timings;
    let status = info.status.map(|s| s.as_u16());
    let effective_url = easy.effective_url().to_string();
    // curl's redirect_url: where a redirect that was not followed (or
    // not any more, past --max-redirs) would have gone.
    let redirect_url = status
        .filter(|s| (300..400).contains(s))
        .and_then(|_| info.headers.get_str("location"))
        .and_then(|location| url::Url::parse(&effective_url).ok()?.join(location.trim()).ok())
        .map(String::from);
    // Copied only for -w, the one reader of the response's fields: two
    // strings per field, per transfer, are not for runs that print none.
    let headers = match settings.write_out {
        Some(_) => info
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value);
                (name.to_owned(), value.trim_matches([' ', '\t']).to_owned())
            })
            .collect(),
        None => Vec::new(),
    };
    let mut outcome = Outcome {
        url: run.job.url.clone(),
        effective_url,
        status,
        exit_code: 0,
        error: None,
        size_download: info.body_bytes_delivered,
        size_upload: info.body_bytes_sent,
        time_namelookup: t.namelookup,
        time_connect: t.connect,
        time_appconnect: t.appconnect,
        time_pretransfer: t.pretransfer,
        time_starttransfer: t.starttransfer,
        time_total: t.total,
        num_redirects: info.redirect_count,
        retries: 0,
        output: run.output_path.clone(),
        urlnum: run.urlnum,
        xfer_id: Some(run.xfer_id),
        conn_id: info.connection.map(|c| c.id()),
        method: info.method.as_ref().map(|m| m.as_str().to_owned()),
        http_version: info.version,
        headers,
        redirect_url,
        referer,
        local_addr: info.local_addr,
        remote_addr: info.remote_addr,
        num_connects: info.new_connections,
        size_received: info.body_bytes_received,
        size_header: info.header_bytes_received,
        size_request: info.request_bytes_sent + info.body_bytes_sent,
        time_posttransfer: t.posttransfer,
        time_redirect: t.redirect,
    };
    let sink_error = easy
        .handler_mut::<crate::sink::Sink>()
        .and_then(|s| s.write_error.take());
    // A WebSocket the server closed with its close frame ended well, even
    // when its socket then reset our answer to that frame.
    let ws_closed = easy
        .handler_ref::<Sink>()
        .and_then(|s| s.frames.as_deref())
        .is_some_and(|f| f.closed());
    let result = match result {
        Err(e) if ws_closed && matches!(e.kind(), ErrorKind::RecvError | ErrorKind::SendError) => Ok(()),
        result => result,
    };
    let resuming = easy.handler_ref::<Sink>().is_some_and(|s| s.resuming);
    if resuming && status.is_some_and(|s| s != 206) && !(settings.fail && status.is_some_and(|s| s >= 400)) {
        outcome.exit_code = RANGE_ERROR;
        outcome.error = Some((
            "RangeError".into(),
            format!(
                "HTTP server doesn't seem to support byte ranges (status {}). Cannot resume.",
                status.unwrap_or(0)
            ),
        ));
    } else if (settings.fail || settings.fail_with_body) && status.is_some_and(|s| s >= 400) {
        outcome.exit_code = 22;
        outcome.error = Some((
            "HttpReturnedError".into(),
            format!("The requested URL returned error: {}", status.unwrap_or(0)),
        ));
    } else if let Err(e) = result {
        outcome.exit_code = e.kind().code() as i32;
        let message = match sink_error {
            Some(why) => format!("{}: {why}", e.message()),
            None => e.message().to_string(),
        };
        outcome.error = Some((format!("{:?}", e.kind()), message));
    } else if let Output::Verify { len, .. } = run.job.output {
        let complete = easy
            .handler_ref::<Sink>()
            .is_some_and(|s| matches!(&s.body, Body::Verify(c) if c.is_complete(len)));
        if !complete {
            outcome.exit_code = ErrorKind::PartialFile.code() as i32;
            outcome.error = Some((
                "PartialFile".into(),
                format!("the body is not the {len} bytes expected"),
            ));
        }
    }
    outcome
}

/// Puts a finished body under its final name, or removes it; saves the
/// ETag for `--etag-save`.
fn settle_output(settings: &Settings, easy: &mut Easy, outcome: &mut Outcome) {
    let Some(sink) = easy.handler_mut::<Sink>() else {
        return;
    };
    if let (Some(path), 0) = (&settings.etag_save, outcome.exit_code) {
        // curl writes the ETag with its quotes and a newline; none: empty.
        let mut line = sink.etag.take().unwrap_or_default();
        if !line.is_empty() {
            line.push(b'\n');
        }
        if let Err(e) = std::fs::write(path, line) {
            outcome.exit_code = ErrorKind::WriteError.code() as i32;
            outcome.error = Some((
                "WriteError".into(),
                format!("--etag-save: cannot write {}: {e}", path.display()),
            ));
        }
    }
    let body = std::mem::replace(&mut sink.body, Body::Discard);
    let saved = match body {
        Body::File(file) if outcome.exit_code == 0 => file.commit(),
        Body::File(file) => {
            // A failed transfer leaves no file behind, not even a partial
            // one under its final name.
            file.abort();
            outcome.output = None;
            return;
        }
        // Written in place as it came (as curl writes): a failure leaves
        // what was written, and a path never opened stays untouched.
        Body::InPlace(file) if outcome.exit_code == 0 => file.finish(),
        _ => return,
    };
    if let Err(e) = saved {
        outcome.exit_code = ErrorKind::WriteError.code() as i32;
        outcome.error = Some(("WriteError".into(), format!("cannot save the body: {e}")));
    }
}

/// Write-out, report, message and counts of one finished job; the run's
/// exit code so far.
fn finish_outcome(
    settings: &Settings,
    progress: &mut Progress,
    report: &mut Option<io::BufWriter<File>>,
    outcome: Outcome,
    exit_code: i32,
) -> io::Result<i32> {
    progress.finished(outcome.exit_code == 0, outcome.size_download);
    if let Some(format) = &settings.write_out {
        let rendered = render(format, &outcome);
        rendered.write()?;
        // Unknown variables are the format's fault, not each transfer's.
        if progress.done == 1 && !settings.silent {
            for warning in &rendered.warnings {
                progress.println(&format!("starling: warning: {warning}"));
            }
        }
    }
    if let Some(report) = report.as_mut() {
        writeln!(report, "{}", json_line(&outcome))?;
    }
    if outcome.exit_code == 0 {
        return Ok(exit_code);
    }
    if !settings.silent || settings.show_error {
        let message = outcome.error.as_ref().map_or("failed", |e| e.1.as_str());
        progress.println(&format!(
            "starling: ({}) {}: {message}",
            outcome.exit_code, outcome.url
        ));
    }
    Ok(outcome.exit_code)
}

/// Whether a finished transfer is tried again (`--retry`): transient
/// failures, or any failure with `--retry-all-errors`.
fn retryable(settings: &Settings, o: &Outcome) -> bool {
    transient(o) || (settings.retry_all_errors && o.exit_code != 0)
}

/// curl's transient failures: timeouts, refused or failed connections,
/// and the HTTP statuses that mean "try again".
fn transient(o: &Outcome) -> bool {
    let status_says = o
        .status
        .is_some_and(|s| matches!(s, 408 | 429 | 500 | 502 | 503 | 504));
    status_says || matches!(o.exit_code, 6 | 7 | 28 | 52 | 55 | 56)
}

/// The wait before retry `attempt`: the given delay, or curl's backoff (1 s
/// doubling, at most 10 minutes).
fn retry_delay(fixed: Option<Duration>, attempt: u32) -> Duration {
    fixed.unwrap_or_else(|| {
        Duration::from_secs(1u64 << attempt.saturating_sub(1).min(9)).min(Duration::from_secs(600))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_ten_minutes() {
        assert_eq!(retry_delay(None, 1), Duration::from_secs(1));
        assert_eq!(retry_delay(None, 3), Duration::from_secs(4));
        assert_eq!(retry_delay(None, 30), Duration::from_secs(512));
        assert_eq!(
            retry_delay(Some(Duration::from_millis(50)), 7),
            Duration::from_millis(50)
        );
    }

    #[test]
    fn transient_failures() {
        let o = |status, exit_code| Outcome {
            status,
            exit_code,
            ..Outcome::default()
        };
        assert!(transient(&o(Some(503), 0)));
        assert!(transient(&o(None, 28)));
        assert!(transient(&o(None, 7)));
        assert!(!transient(&o(Some(404), 0)));
        assert!(!transient(&o(None, 60)));
    }
}
