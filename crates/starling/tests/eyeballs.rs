//! Happy eyeballs: the second address family after a refusal or after the
//! delay, every failed address moving on to the next.

mod common;

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use common::{EventLoop, Verify};
use socket2::{Domain, Socket, Type};
use starling::{Easy, ErrorKind, IpResolve, Multi, What};
use starling_testserver::{refused_port, HttpServer};

const V6: IpAddr = IpAddr::V6(std::net::Ipv6Addr::LOCALHOST);
const V4: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A listener on 127.0.0.1 whose accept queue is full: a connect to it
/// neither completes nor fails (the kernel drops the SYN).
fn hanging_listener() -> (Socket, TcpStream, u16) {
    let listener = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    listener.bind(&SocketAddr::new(V4, 0).into()).unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let filler = TcpStream::connect(addr).unwrap();
    (listener, filler, addr.port())
}

/// The socket callbacks for sockets of transfers (their REMOVE may come
/// after the transfer ended), with the time since the first one.
fn transfer_sockets(ev: &EventLoop) -> Vec<(Duration, i32, What)> {
    let r = ev.record.borrow();
    let fds: Vec<i32> = r.log.iter().filter(|l| l.3.is_some()).map(|l| l.1).collect();
    let first = r.log.iter().find(|l| l.3.is_some()).map(|l| l.0).unwrap();
    r.log
        .iter()
        .filter(|l| fds.contains(&l.1))
        .map(|&(at, fd, what, _)| (at - first, fd, what))
        .collect()
}

#[test]
fn the_second_family_takes_over_when_the_first_refuses() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(format!("http://dual.test:{port}/bytes/3000?seed=7"));
    // IPv6 first (as most resolvers order them); nothing listens there.
    easy.resolve("dual.test", port, V6)
        .resolve("dual.test", port, V4)
        .handler(Verify::new(7));
    let id = ev.multi.add(easy);
    let mut result = None;
    assert!(ev.run(Duration::from_secs(10), |_, msg| result = Some(msg.result)));
    result.unwrap().unwrap_or_else(|e| panic!("{e}"));
    let easy = ev.multi.remove(id).unwrap();
    assert!(easy.handler_ref::<Verify>().unwrap().complete(3000));
    assert_eq!(easy.info().remote_addr, Some(SocketAddr::new(V4, port)));
    ev.assert_clean();
}

#[test]
fn every_address_of_both_families_is_tried_before_failing() {
    let port = refused_port();
    let mut ev = EventLoop::new(Multi::new(), true);
    let mut easy = Easy::new(format!("http://dual.test:{port}/"));
    easy.resolve("dual.test", port, V6)
        .resolve("dual.test", port, V4)
        .resolve("dual.test", port, "::ffff:127.0.0.1".parse().unwrap());
    ev.multi.add(easy);
    let mut error = None;
    assert!(ev.run(Duration::from_secs(10), |_, msg| error = msg.result.err()));
    let error = error.unwrap();
    assert_eq!(error.kind(), ErrorKind::CouldntConnect);
    assert!(
        error.message().starts_with("Failed to connect to dual.test port"),
        "{error}"
    );
    ev.assert_clean();
}

/// IPv4 first, and it hangs: after the delay the IPv6 address is tried
/// beside it (here it is refused, so the connect timeout ends the race).
fn race_after(delay: Option<Duration>) -> Vec<(Duration, i32, What)> {
    let (_listener, _filler, port) = hanging_listener();
    let mut ev = EventLoop::new(Multi::new(), false);
    let mut easy = Easy::new(format!("http://dual.test:{port}/"));
    easy.resolve("dual.test", port, V4)
        .resolve("dual.test", port, V6)
        .connect_timeout(Duration::from_millis(900));
    if let Some(delay) = delay {
        easy.happy_eyeballs_timeout(delay);
    }
    ev.multi.add(easy);
    let mut error = None;
    assert!(ev.run(Duration::from_secs(10), |_, msg| error = msg.result.err()));
    let error = error.unwrap();
    assert_eq!(error.kind(), ErrorKind::TimedOut, "{error}");
    ev.assert_clean();
    transfer_sockets(&ev)
}

#[test]
fn the_other_family_starts_after_the_delay() {
    let log = race_after(None);
    // The IPv4 socket, then the IPv6 one 200 ms later, both removed.
    let announced: Vec<_> = log.iter().filter(|l| l.2 == What::Out).collect();
    assert_eq!(announced.len(), 2, "{log:?}");
    assert_ne!(announced[0].1, announced[1].1);
    assert!(announced[1].0 >= Duration::from_millis(190), "{log:?}");
    assert!(announced[1].0 < Duration::from_millis(850), "{log:?}");
    let removed = log.iter().filter(|l| l.2 == What::Remove).count();
    assert_eq!(removed, 2, "{log:?}");
}

#[test]
fn the_delay_is_configurable() {
    let log = race_after(Some(Duration::from_millis(50)));
    let announced: Vec<_> = log.iter().filter(|l| l.2 == What::Out).collect();
    assert_eq!(announced.len(), 2, "{log:?}");
    assert!(announced[1].0 >= Duration::from_millis(45), "{log:?}");
    assert!(announced[1].0 < Duration::from_millis(190), "{log:?}");
}

/// `ip_resolve`: only the chosen family is tried; a name without an
/// address of it cannot be resolved; and a connection over one family is
/// not pooled for the other.
#[test]
fn ip_resolve_keeps_to_one_family() {
    let server = HttpServer::start();
    let port = server.addr().port();
    let mut ev = EventLoop::new(Multi::new(), false);
    let dual = |only: IpResolve| {
        let mut easy = Easy::new(format!("http://dual.test:{port}/bytes/300?seed=2"));
        // IPv6 first, where nothing listens: V4 must not try it at all.
        easy.resolve("dual.test", port, V6)
            .resolve("dual.test", port, V4)
            .ip_resolve(only)
            .handler(Verify::new(2));
        easy
    };
    let id = ev.multi.add(dual(IpResolve::V4));
    let mut result = None;
    assert!(ev.run(Duration::from_secs(10), |_, msg| result = Some(msg.result)));
    result.take().unwrap().unwrap_or_else(|e| panic!("{e}"));
    let easy = ev.multi.remove(id).unwrap();
    assert_eq!(easy.info().remote_addr, Some(SocketAddr::new(V4, port)));
    // One socket for the transfer: no IPv6 attempt.
    let fds: std::collections::HashSet<i32> = transfer_sockets(&ev).iter().map(|s| s.1).collect();
    assert_eq!(fds.len(), 1, "{:?}", transfer_sockets(&ev));

    // IPv6 only: the one IPv6 address refuses, the IPv4 one is not tried.
    ev.multi.add(dual(IpResolve::V6));
    assert!(ev.run(Duration::from_secs(10), |_, msg| result = Some(msg.result)));
    let e = result.take().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CouldntConnect, "{e}");
    assert_eq!(server.connections_accepted(), 1);

    // A name with IPv6 addresses only, asked for IPv4.
    let mut easy = Easy::new(format!("http://v6only.test:{port}/"));
    easy.resolve("v6only.test", port, V6).ip_resolve(IpResolve::V4);
    ev.multi.add(easy);
    assert!(ev.run(Duration::from_secs(10), |_, msg| result = Some(msg.result)));
    let e = result.take().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::CouldntResolveHost, "{e}");
    assert!(e.message().contains("no IPv4 address"), "{e}");
    ev.assert_clean();
}
