//! The simulated network driven by fuzz input: the bytes choose the seed,
//! the network's roughness, the servers' habits, the protocol (HTTP/1.1,
//! or HTTP/2 with prior knowledge) and every transfer's path (and so its
//! predicted outcome); the contract checker must find nothing and every
//! transfer must end as predicted.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use starling::{Easy, ErrorKind, HttpVersion};
use starling_fuzz::Input;
use starling_sim::{Expect, HostEntry, Listener, NetConfig, ServerConfig, Sim};

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let seed = u64::from_le_bytes(std::array::from_fn(|_| input.byte()));
    let net = NetConfig {
        // At least 1 ms: with none, a server's reset right after its answer
        // lands before the client could read it (TCP then discards the
        // answer, and the transfer rightly fails), which no plan predicts.
        latency: Duration::from_millis(1 + u64::from(input.byte() % 20)),
        bandwidth: u64::from(input.byte()) * 100_000,
        partial_io: f64::from(input.byte()) / 255.0,
        spurious_eagain: f64::from(input.byte()) / 255.0 * 0.9,
        segment: 1 + usize::from(input.byte()) * 64,
        ..NetConfig::default()
    };
    let habits = input.byte();
    let server = ServerConfig {
        think: Duration::from_millis(u64::from(habits % 8)),
        idle_close: (habits & 0x10 != 0).then(|| Duration::from_millis(u64::from(habits % 5))),
        max_requests: (habits & 0x20 != 0).then_some(1 + u32::from(habits % 4)),
        idle_reset: habits & 0x40 != 0,
        ..ServerConfig::default()
    };
    let h2 = habits & 0x80 != 0;
    // What a broken answer ends with on each protocol.
    let (cut, refused, reset, reset_mid) = match h2 {
        false => (ErrorKind::PartialFile, ErrorKind::GotNothing, ErrorKind::RecvError, ErrorKind::RecvError),
        // A refused stream goes again, five times, then 56 (libcurl 7.88.1).
        true => (ErrorKind::Http2Stream, ErrorKind::RecvError, ErrorKind::Http2Stream, ErrorKind::Http2Stream),
    };
    let total = 1 + u64::from(input.byte() % 40);
    let open = 1 + usize::from(input.byte() % 20);
    // On HTTP/2 a quota's GOAWAY sends the streams above its last one
    // elsewhere, and a transfer may go again five times (libcurl's limit,
    // after which it fails with 55, as libcurl's would): a quota of a third
    // of the transfers at least keeps every plan's outcome certain.
    // An idle close racing the next request costs a retry too, on HTTP/2
    // on whichever connection the pool offers next (libcurl's rule, where
    // HTTP/1.1 takes a new one), so under a server that keeps closing
    // idle connections a plan cannot say whether a transfer gets through
    // in five: HTTP/2 servers here do not close idle connections
    // (tests/sim.rs's http2_servers_that_go_away does, with settings
    // whose outcome is certain).
    let server = match h2 {
        true => ServerConfig {
            max_requests: server.max_requests.map(|m| m.max(total.div_ceil(3) as u32)),
            idle_close: None,
            ..server
        },
        false => server,
    };
    let plan: Vec<(String, Expect)> = (0..total)
        .map(|_| {
            let n = u64::from(u16::from_le_bytes([input.byte(), input.byte()]));
            match input.byte() % 9 {
                0 => (format!("/size/{n}"), Expect::Ok { status: 200, body: n }),
                1 => (format!("/chunked/{n}"), Expect::Ok { status: 200, body: n }),
                2 => (format!("/close/{n}"), Expect::Ok { status: 200, body: n }),
                3 => (format!("/redirect/{n}"), Expect::Ok { status: 200, body: n }),
                4 => ("/status/204".into(), Expect::Ok { status: 204, body: 0 }),
                5 if n >= 2 => (format!("/cut/{n}"), Expect::Fails(cut)),
                6 => ("/empty".into(), Expect::Fails(refused)),
                7 => ("/reset".into(), Expect::Fails(reset)),
                8 if n >= 2 => (format!("/reset-mid/{n}"), Expect::Fails(reset_mid)),
                _ => ("/status/404".into(), Expect::Ok { status: 404, body: 0 }),
            }
        })
        .collect();
    let sim = Sim::new(seed, net);
    sim.world().host(
        "a.sim",
        HostEntry {
            addrs: vec!["10.0.0.1".parse().unwrap()],
            latency: Duration::from_millis(1),
            failure: None,
        },
    );
    let listener = match h2 {
        true => Listener::Http2(server),
        false => Listener::Http(server),
    };
    sim.world().listen("10.0.0.1:80".parse().unwrap(), listener);
    let pipewait = seed & 1 != 0;
    let report = sim.run(total, open, |i, _| {
        let (path, expect) = plan[i as usize].clone();
        let mut easy = Easy::new(format!("http://a.sim{path}"));
        easy.follow_location(true).timeout(Duration::from_secs(60));
        if h2 {
            easy.http_version(HttpVersion::Http2PriorKnowledge).pipewait(pipewait);
        }
        (easy, expect)
    });
    assert!(report.violations.is_empty(), "{report}");
});
