//! The process's open-descriptor count is the same before and after a
//! multi handle ran transfers (alone in its test binary: fd counts are
//! process-wide, and other tests would run beside it).

mod common;

use std::time::Duration;

use common::{EventLoop, Verify};
use starling::{Easy, Multi};
use starling_testserver::{open_fd_count, wait_for_fd_count, HttpServer};

fn verified(url: String, seed: u64) -> Easy {
    let mut easy = Easy::new(url);
    easy.handler(Verify::new(seed));
    easy
}

#[test]
fn no_descriptor_leaks() {
    let server = HttpServer::start();
    let before = open_fd_count();
    {
        let mut ev = EventLoop::new(Multi::new(), false);
        for i in 0..100u64 {
            ev.multi
                .add(verified(server.url(&format!("/bytes/1000?seed={i}")), i));
        }
        let refused = starling_testserver::refused_port();
        ev.multi.add(Easy::new(format!("http://127.0.0.1:{refused}/")));
        assert!(ev.run(Duration::from_secs(20), |m, msg| {
            m.remove(msg.id).unwrap();
        }));
        ev.assert_clean();
    }
    // Server-side sockets close once the server sees the client's FIN.
    let after = wait_for_fd_count(before, Duration::from_secs(10));
    assert_eq!(after, before, "open descriptors before and after");
}
