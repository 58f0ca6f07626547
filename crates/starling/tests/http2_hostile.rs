//! The HTTP/2 rows of the hostile-server catalogue through the whole
//! engine: every case of `starling_testserver::h2_hostile` (H2-01 to H2-30
//! but H2-27, which needs `Upgrade: h2c`) on the Rust API. Three transfers
//! per case on one multi handle: `/good` and `/bad` share a connection to
//! the scripted server, a third fetches 100,000 bytes over another. Checked
//! in every case:
//! - `/bad` ends with the case's code and words;
//! - `/good` completes byte-exact when the harm was to one stream, and
//!   fails with the connection when it was to the connection;
//! - the transfer on the other connection completes byte-exact;
//! - no callback breaks the contract;
//! - a later transfer to the hostile server reuses the connection after a
//!   stream error and opens a new one after a connection error (which never
//!   goes back to the pool), and nothing stays watched afterwards.
//!
//! One test per row, so that the rows run in parallel.

mod common;

use std::time::Duration;

use common::{EventLoop, Verify};
use starling::{Collect, Easy, Error, Flow, Handler, HttpVersion, Method, Multi};
use starling_testserver::h2_hostile::{
    h2_hostile_cases, BadTransfer, End, H2HostileCase, GOOD_LEN, GOOD_SEED,
};
use starling_testserver::HttpServer;

fn easy(url: String) -> Easy {
    let mut e = Easy::new(url);
    e.http_version(HttpVersion::Http2PriorKnowledge)
        .pipewait(true)
        .timeout(Duration::from_secs(20));
    e
}

fn end(result: &Result<(), Error>) -> End {
    match result {
        Ok(()) => End::Ok,
        Err(e) => End::Code(e.kind().code()),
    }
}

/// A handler that takes the first write and then pauses for good: its
/// stream gets no window back.
struct PausedAfterFirstWrite(bool);

impl Handler for PausedAfterFirstWrite {
    fn write(&mut self, _data: &[u8]) -> Flow {
        match std::mem::replace(&mut self.0, true) {
            false => Flow::Continue,
            true => Flow::Pause,
        }
    }
}

fn bad_easy(url: String, how: BadTransfer) -> Easy {
    let mut e = easy(url);
    e.handler(Collect::default()).timeout(how.timeout());
    match how {
        BadTransfer::Plain | BadTransfer::ShortTimeout => {}
        BadTransfer::PausedAfterFirstWrite => {
            e.handler(PausedAfterFirstWrite(false));
        }
        BadTransfer::ShortUpload => {
            e.method(Method::POST).body(vec![b'u'; 200_000]);
        }
    }
    e
}

fn run(case: &H2HostileCase) {
    let row = &case.row;
    let hostile = case.server();
    let other = HttpServer::start_h2c();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut good = easy(hostile.url("/good"));
    good.handler(Verify::new(GOOD_SEED));
    let bad = bad_easy(hostile.url("/bad"), case.bad_transfer);
    let mut far = easy(other.url("/bytes/100000?seed=3"));
    far.handler(Verify::new(3));
    let ids = [ev.multi.add(good), ev.multi.add(bad), ev.multi.add(far)];
    let mut ended: [Option<(Easy, Result<(), Error>)>; 3] = [None, None, None];
    let all_ended = ev.run(Duration::from_secs(40), |multi, msg| {
        let i = ids.iter().position(|id| *id == msg.id).expect("one of ours");
        ended[i] = Some((multi.remove(msg.id).expect("a handle"), msg.result));
    });
    assert!(all_ended, "{row}: every transfer ends");
    ev.assert_clean();
    let [Some((good, good_result)), Some((_, bad_result)), Some((far, far_result))] = ended else {
        panic!("{row}: a message per transfer");
    };
    assert_eq!(end(&bad_result), case.bad, "{row}: /bad: {bad_result:?}");
    if let Err(e) = &bad_result {
        assert!(e.to_string().contains(case.words), "{row}: /bad said: {e}");
    }
    assert_eq!(end(&good_result), case.sibling, "{row}: /good: {good_result:?}");
    if case.sibling == End::Ok {
        let verify = good.handler_ref::<Verify>().unwrap();
        assert!(verify.complete(GOOD_LEN as u64), "{row}: /good byte-exact");
    }
    far_result.unwrap_or_else(|e| panic!("{row}: the other connection's transfer: {e}"));
    assert!(
        far.handler_ref::<Verify>().unwrap().complete(100_000),
        "{row}: other byte-exact"
    );
    if let Some(expected) = case.connections_after {
        let (_, next) = ev.run_one(easy(hostile.url("/next")), Duration::from_secs(20));
        next.unwrap_or_else(|e| panic!("{row}: /next: {e}"));
        assert_eq!(hostile.connections_accepted(), expected, "{row}: connections");
    }
    let watched = ev.record.borrow().watched.len();
    assert_eq!(watched, 0, "{row}: sockets still watched at the end");
}

/// Runs every case whose row starts with one of `rows`; at least one must.
fn rows(rows: &[&str]) {
    let cases: Vec<H2HostileCase> = h2_hostile_cases()
        .into_iter()
        .filter(|c| rows.iter().any(|r| c.row.starts_with(&format!("{r} "))))
        .collect();
    assert!(!cases.is_empty(), "no case for {rows:?}");
    for case in &cases {
        run(case);
    }
}

#[test]
fn every_case_belongs_to_a_test_here() {
    let tested = [
        "H2-01",
        "H2-02",
        "H2-03",
        "H2-04",
        "H2-05",
        "H2-06",
        "H2-07",
        "H2-08",
        "H2-09",
        "H2-10",
        "H2-11",
        "H2-12",
        "H2-13",
        "H2-14",
        "H2-15",
        "H2-16",
        "H2-17",
        "H2-18",
        "H2-19..21",
        "H2-20",
        "H2-22",
        "H2-23",
        "H2-24",
        "H2-25",
        "H2-26",
        "H2-28",
        "H2-29",
        "H2-30",
    ];
    for case in h2_hostile_cases() {
        let row = case.row.split(' ').next().unwrap_or_default();
        assert!(tested.contains(&row), "{} is run by no test", case.row);
    }
}

#[test]
fn h2_01_continuation_floods_end_the_connection() {
    rows(&["H2-01"]);
}

#[test]
fn h2_02_an_hpack_bomb_ends_its_stream_only() {
    rows(&["H2-02"]);
}

#[test]
fn h2_03_malformed_hpack_ends_the_connection() {
    rows(&["H2-03"]);
}

#[test]
fn h2_04_05_heads_too_large_or_too_many_fields_end_their_stream() {
    rows(&["H2-04", "H2-05"]);
}

#[test]
fn h2_06_07_floods_needing_acks_end_the_connection() {
    rows(&["H2-06", "H2-07"]);
}

#[test]
fn h2_08_09_floods_of_empty_frames_or_provoked_resets() {
    rows(&["H2-08", "H2-09"]);
}

#[test]
fn h2_10_11_resets_by_the_server() {
    rows(&["H2-10", "H2-11"]);
}

#[test]
fn h2_12_a_goaway_below_a_stream_sends_it_again_elsewhere() {
    rows(&["H2-12"]);
}

#[test]
fn h2_13_window_updates_that_overflow_or_add_nothing() {
    rows(&["H2-13"]);
}

#[test]
fn h2_14_15_16_17_settings_out_of_range_and_pushes() {
    rows(&["H2-14", "H2-15", "H2-16", "H2-17"]);
}

#[test]
fn h2_18_an_oversized_frame_fails_on_its_header() {
    rows(&["H2-18"]);
}

#[test]
fn h2_19_20_21_22_malformed_heads_end_their_stream() {
    rows(&["H2-19..21", "H2-20", "H2-22"]);
}

#[test]
fn h2_23_24_frames_out_of_place() {
    rows(&["H2-23", "H2-24"]);
}

#[test]
fn h2_25_26_windows_and_stream_limits() {
    rows(&["H2-25", "H2-26"]);
}

#[test]
fn h2_28_29_30_http_1_1_priority_floods_and_a_close_mid_body() {
    rows(&["H2-28", "H2-29", "H2-30"]);
}
