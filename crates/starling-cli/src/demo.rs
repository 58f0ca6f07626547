//! `--demo`: a loopback server inside the process, N URLs fetched from it
//! through the engine, every body checked. Needs no network.

use std::io;

use starling_testserver::HttpServer;

use crate::run::{run, Job, Output, Summary};
use crate::Settings;

/// Body sizes of the demo, cycled: mostly small, as on the web, some large.
const SIZES: [u64; 8] = [100, 512, 1_000, 2_000, 4_096, 10_000, 30_000, 100_000];

/// Runs the demo; its summary is the caller's to print.
pub fn run_demo(settings: &Settings, n: u64, parallel: usize) -> io::Result<Summary> {
    let server = HttpServer::start();
    let jobs: Vec<Job> = (0..n)
        .map(|i| {
            let len = SIZES[(i % SIZES.len() as u64) as usize];
            Job {
                url: server.url(&format!("/bytes/{len}?seed={i}")),
                output: Output::Verify { seed: i, len },
                attempts: 0,
            }
        })
        .collect();
    eprintln!(
        "starling demo: {n} transfers from {} at {parallel} in flight, every body checked",
        server.url("/")
    );
    run(settings, jobs, parallel)
}
