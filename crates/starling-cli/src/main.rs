//! `starling`: fetch many URLs at once from one thread, curl-style, on
//! Starling's engine. See `starling --help`.

mod args;
mod config;
mod cookies;
mod credentials;
mod demo;
mod destination;
mod form;
mod help;
mod outcome;
mod output;
mod progress;
mod rate_limit;
mod report;
mod run;
mod settings;
mod signals;
mod sink;
mod websocket;
mod writeout;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use args::Args;
use run::{Job, Output, Summary};
use settings::{Settings, UsageError};

/// The exit code of a usage error (as clap's own).
const USAGE: u8 = 2;

fn usage_error(message: &str) -> ExitCode {
    failed(UsageError {
        message: message.to_string(),
        code: USAGE,
    })
}

fn failed(error: UsageError) -> ExitCode {
    eprintln!("starling: {}", error.message);
    if error.code == USAGE {
        eprintln!("starling: try 'starling --help' for more information");
    }
    ExitCode::from(error.code)
}

fn main() -> ExitCode {
    let argv = match config::expand(std::env::args().collect()) {
        Ok(argv) => argv,
        Err(e) => return usage_error(&e),
    };
    let args = Args::parse_from(argv);
    if let Some(topic) = &args.help {
        return match help::render(topic) {
            Ok(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&e),
        };
    }
    let mut settings = match Settings::from_args(&args) {
        Ok(s) => s,
        Err(e) => return failed(e),
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
    let urls = match settings::urls(&args) {
        Ok(urls) => urls,
        Err(e) => return usage_error(&e),
    };
    if urls.is_empty() {
        return usage_error("no URL given (give URLs, --url-file FILE, -K FILE, or --demo)");
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
                url: settings.job_url(&url),
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
        Ok(summary) => {
            if let Err(e) = settings.cookies.save() {
                eprintln!("starling: {e}");
            }
            ended(summary, many && !settings.silent)
        }
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
