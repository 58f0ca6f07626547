//! Opening connections: non-blocking connects over the route's addresses,
//! racing the two address families (happy eyeballs, RFC 8305 in the shape
//! libcurl gives it).
//!
//! The first address's family goes first. If it has not connected after
//! the happy-eyeballs delay (200 ms by default), a connect to the first
//! address of the other family starts beside it; the first to connect
//! wins and the other socket is REMOVEd and closed. A failed address moves
//! its attempt on to the next address of the same family; a family that
//! runs out hands over to the other one at once. The connect timeout ends
//! the whole race.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use super::core::Core;
use super::start::connect_error;
use crate::conn::{ConnState, Connection, Racer};
use crate::easy::{HttpVersion, TlsOptions};
use crate::env::{BindFailed, ConnectState, RefusedByHook, Socket, SocketHooks};
use crate::error::{Error, ErrorKind};
use crate::ids::{ConnKey, TransferId};
use crate::share::Shared;
use crate::socket_table::Owner;
use crate::timer_queue::TimerKind;
use crate::tls::{shared_config, Handshake, Session};

/// One of the two connect attempts of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    /// The connection's own socket.
    Main,
    /// The other family's socket.
    Racer,
}

impl Core {
    /// Opens a connection for a transfer.
    pub(crate) fn open_connection(&mut self, id: TransferId, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        t.next_addr = [0, 0];
        if t.timers[TimerKind::Connect as usize].is_none() {
            let limit = t.easy.inner.extras().connect_timeout;
            self.set_timer(id, TimerKind::Connect, now + limit);
        }
        let unix = self.transfers[id.index as usize]
            .easy
            .inner
            .extras()
            .unix_socket
            .clone();
        let attempt = match unix {
            Some(path) => self.connect_unix(id, &path).map(|socket| (socket, None)),
            None => self
                .connect_next(id, 0)
                .or_else(|| self.connect_next(id, 1))
                .map(|(socket, addr)| (socket, Some(addr))),
        };
        let Some((socket, addr)) = attempt else {
            return self.connect_exhausted(id, now);
        };
        let t = &self.transfers[id.index as usize];
        let host = t.host.expect("started transfer has a host");
        let delay = t.easy.inner.extras().happy_eyeballs_timeout;
        let may_multiplex = t.easy.inner.http_version != HttpVersion::Http11;
        let generation = self.next_generation();
        let fd = socket.fd();
        let mut conn = Connection::connecting(socket, host, generation, now);
        conn.remote_addr = addr;
        conn.may_multiplex = may_multiplex;
        if may_multiplex {
            self.pool.may_multiplex(host, true);
        }
        // Wrapping after four billion connections only repeats numbers.
        conn.number = self.counters.connections_opened as u32;
        #[cfg(feature = "tracing")]
        {
            let opener = self.transfers[id.index as usize].easy.inner.span.as_deref();
            conn.span = crate::trace_spans::connection_span(conn.number, addr, opener).map(Box::new);
        }
        let index = self.conns.insert(conn);
        let key = ConnKey {
            index: index as u32,
            generation,
        };
        self.sockets.insert(fd, Owner::Conn(key));
        self.pool.opened(host);
        self.counters.connections_opened += 1;
        self.attach(id, key, now);
        self.mark_dirty(key);
        // Armed even with one family to try, and left to expire after the
        // connect: libcurl does both, and the application sees this deadline.
        self.set_timer(id, TimerKind::Phase, now + delay);
    }

    /// Starts a non-blocking connect to the transfer's next address of
    /// `fam` (0: the first address's family, 1: the other).
    fn connect_next(&mut self, id: TransferId, fam: usize) -> Option<(Socket, SocketAddr)> {
        let t = &mut self.transfers[id.index as usize];
        if t.aside
            .as_ref()
            .is_some_and(|a| a.refused_by_hook || a.bind_failed.is_some())
        {
            return None;
        }
        while let Some(&addr) = t.route().addrs.get(t.next_addr[fam] as usize) {
            t.next_addr[fam] += 1;
            if family(&t.route().addrs, addr) != fam {
                continue;
            }
            t.easy.inner.trace_text(|| format!("  Trying {addr}..."));
            let hooks = t.easy.inner.extras().socket_hooks.as_ref();
            match self.env.connect(
                addr,
                &t.easy.inner.extras().socket,
                hooks.map(|h| &*h.0 as &dyn SocketHooks),
            ) {
                Ok(socket) => {
                    remember_closer(&mut self.socket_closers, socket.fd(), hooks);
                    return Some((socket, addr));
                }
                Err(e) if e.get_ref().is_some_and(|inner| inner.is::<RefusedByHook>()) => {
                    t.aside_mut().refused_by_hook = true;
                    return None;
                }
                Err(e) if e.get_ref().is_some_and(|inner| inner.is::<BindFailed>()) => {
                    // libcurl tries no other address: the options are wrong.
                    let message = e.get_ref().map(ToString::to_string).unwrap_or_default();
                    t.aside_mut().bind_failed = Some(message.into());
                    return None;
                }
                Err(e) => {
                    t.easy.inner.info.os_errno = e.raw_os_error();
                    let detail = plain_os_error(&e);
                    let ip = addr.ip();
                    t.easy
                        .inner
                        .trace_text(|| format!("Immediate connect fail for {ip}: {detail}"));
                }
            }
        }
        None
    }

    /// Starts the connect to the handle's Unix domain socket.
    fn connect_unix(&mut self, id: TransferId, path: &std::path::Path) -> Option<Socket> {
        let t = &mut self.transfers[id.index as usize];
        t.easy
            .inner
            .trace_text(|| format!("  Trying {}:0...", path.display()));
        let hooks = t.easy.inner.extras().socket_hooks.as_ref();
        match self
            .env
            .connect_unix(path, hooks.map(|h| &*h.0 as &dyn SocketHooks))
        {
            Ok(socket) => {
                remember_closer(&mut self.socket_closers, socket.fd(), hooks);
                Some(socket)
            }
            Err(e) if e.get_ref().is_some_and(|inner| inner.is::<RefusedByHook>()) => {
                t.aside_mut().refused_by_hook = true;
                None
            }
            Err(e) => {
                t.easy.inner.info.os_errno = e.raw_os_error();
                let detail = plain_os_error(&e);
                let shown = path.display().to_string();
                t.easy
                    .inner
                    .trace_text(|| format!("Immediate connect fail for {shown}: {detail}"));
                None
            }
        }
    }

    /// The happy-eyeballs delay is over: start the other family.
    pub(crate) fn start_racer(&mut self, id: TransferId, key: ConnKey) {
        let conn = &self.conns[key.index as usize];
        if conn.transport.racer.is_some() || conn.state != ConnState::Connecting {
            return;
        }
        let addrs = &self.transfers[id.index as usize].route().addrs;
        let fam = 1 - conn.remote_addr.map_or(0, |a| family(addrs, a));
        if let Some((socket, addr)) = self.connect_next(id, fam) {
            self.sockets.insert(socket.fd(), Owner::Conn(key));
            self.conns[key.index as usize].transport.racer = Some(Box::new(Racer { socket, addr }));
            self.mark_dirty(key);
        }
    }

    /// Every address failed.
    fn connect_exhausted(&mut self, id: TransferId, now: Instant) {
        let t = &self.transfers[id.index as usize];
        if let Some(message) = t.aside.as_ref().and_then(|a| a.bind_failed.as_deref()) {
            let error = Error::new(ErrorKind::InterfaceFailed, message);
            return self.finish_transfer(id, Err(error), now);
        }
        let kind = match t.aside.as_ref().is_some_and(|a| a.refused_by_hook) {
            true => ErrorKind::AbortedByCallback,
            false => ErrorKind::CouldntConnect,
        };
        let error = connect_error(t.route(), kind, t.elapsed(now));
        if t.easy.inner.traced() {
            let text = error.message().to_owned();
            self.transfers[id.index as usize].easy.inner.trace_text(|| text);
        }
        self.finish_transfer(id, Err(error), now);
    }

    /// An event while connecting: looks at both attempts. True when the
    /// connection is now connected (and its request ready to send).
    pub(super) fn drive_connect(&mut self, key: ConnKey, now: Instant) -> bool {
        match self
            .env
            .connect_state(&self.conns[key.index as usize].transport.socket)
        {
            ConnectState::Connected(peer) => return self.connected(key, peer, now),
            ConnectState::Failed(e) => self.attempt_failed(key, Attempt::Main, e, now),
            ConnectState::InProgress => {}
        }
        let env = &*self.env;
        let conn = self.conns.get_mut(key.index as usize);
        let Some(conn) = conn.filter(|c| c.generation == key.generation) else {
            return false;
        };
        let Some(racer) = conn.transport.racer.as_ref() else {
            return false;
        };
        match env.connect_state(&racer.socket) {
            ConnectState::Connected(peer) => {
                let racer = conn.transport.racer.take().expect("checked");
                let loser = std::mem::replace(&mut conn.transport.socket, racer.socket);
                conn.remote_addr = Some(racer.addr);
                let transfer = conn.proto.transfer;
                self.closing.push((loser, transfer));
                self.connected(key, peer, now)
            }
            ConnectState::Failed(e) => {
                self.attempt_failed(key, Attempt::Racer, e, now);
                false
            }
            ConnectState::InProgress => false,
        }
    }

    /// One connect attempt failed: its family's next address, else the
    /// other family, else the transfer fails.
    fn attempt_failed(&mut self, key: ConnKey, which: Attempt, error: io::Error, now: Instant) {
        let conn = &self.conns[key.index as usize];
        let Some(id) = conn.proto.transfer else {
            return self.close_connection(key);
        };
        let addr = match which {
            Attempt::Main => conn.remote_addr,
            Attempt::Racer => conn.transport.racer.as_ref().map(|r| r.addr),
        };
        let t = &mut self.transfers[id.index as usize];
        t.easy.inner.info.os_errno = error.raw_os_error();
        if let (true, Some(a)) = (t.easy.inner.traced(), addr) {
            // libcurl's words for a connect that failed after it started.
            let detail = plain_os_error(&error);
            t.easy
                .inner
                .trace_text(|| format!("connect to {} port {} failed: {detail}", a.ip(), a.port()));
        }
        let fam = addr.map_or(0, |a| family(&t.route().addrs, a));
        if let Some((socket, addr)) = self.connect_next(id, fam) {
            self.sockets.insert(socket.fd(), Owner::Conn(key));
            let conn = &mut self.conns[key.index as usize];
            let old = match which {
                Attempt::Main => {
                    conn.remote_addr = Some(addr);
                    std::mem::replace(&mut conn.transport.socket, socket)
                }
                Attempt::Racer => {
                    let racer = conn.transport.racer.as_mut().expect("a racer failed");
                    racer.addr = addr;
                    std::mem::replace(&mut racer.socket, socket)
                }
            };
            self.closing.push((old, Some(id)));
            self.mark_dirty(key);
            return;
        }
        // This family has no address left.
        let conn = &mut self.conns[key.index as usize];
        match (which, conn.transport.racer.take()) {
            (Attempt::Racer, Some(racer)) => self.closing.push((racer.socket, Some(id))),
            (Attempt::Main, Some(racer)) => {
                let old = std::mem::replace(&mut conn.transport.socket, racer.socket);
                conn.remote_addr = Some(racer.addr);
                self.closing.push((old, Some(id)));
            }
            (_, None) => match self.connect_next(id, 1 - fam) {
                Some((socket, addr)) => {
                    // The other family need not wait for the delay any more.
                    self.clear_timer(id, TimerKind::Phase);
                    self.sockets.insert(socket.fd(), Owner::Conn(key));
                    let conn = &mut self.conns[key.index as usize];
                    conn.remote_addr = Some(addr);
                    let old = std::mem::replace(&mut conn.transport.socket, socket);
                    self.closing.push((old, Some(id)));
                }
                None => {
                    self.close_connection(key);
                    return self.connect_exhausted(id, now);
                }
            },
        }
        self.mark_dirty(key);
    }

    /// The TCP handshake completed. True when the request is ready to go.
    fn connected(&mut self, key: ConnKey, peer: Option<SocketAddr>, now: Instant) -> bool {
        let conn = &mut self.conns[key.index as usize];
        conn.local_addr = self.env.local_addr(&conn.transport.socket);
        // Until now it held the address being tried; the peer is the same
        // unless the kernel could not say.
        conn.remote_addr = peer.or(conn.remote_addr);
        let transfer = conn.proto.transfer;
        if let Some(racer) = conn.transport.racer.take() {
            self.closing.push((racer.socket, transfer));
        }
        match transfer {
            Some(id) => {
                let t = &mut self.transfers[id.index as usize];
                // Counted once connected, as libcurl's NUM_CONNECTS: a
                // refused attempt made no connection.
                t.easy.inner.info.new_connections += 1;
                t.easy.inner.info.timings.connect = t.elapsed(now);
                if t.easy.inner.traced() {
                    let host = t.route().connect_host().to_owned();
                    // Over a Unix socket libcurl names the socket, and the
                    // URL's port.
                    let unix = t.easy.inner.extras().unix_socket.as_deref();
                    let (ip, port) = match (peer, unix) {
                        (Some(a), _) => (a.ip().to_string(), a.port()),
                        (None, Some(path)) => (path.display().to_string(), t.route().connect_port()),
                        (None, None) => (String::new(), 0),
                    };
                    let n = self.conns[key.index as usize].number;
                    t.easy
                        .inner
                        .trace_text(|| format!("Connected to {host} ({ip}) port {port} (#{n})"));
                }
                if t.route().proxy().is_some() {
                    // The connect timeout covers what the proxy needs
                    // (TLS, CONNECT or SOCKS) too.
                    return self.start_tunnel(key, id, now);
                }
                if t.route().target.is_https() {
                    // The connect timeout covers the TLS handshake too.
                    return self.start_tls(key, id, now);
                }
                self.clear_timer(id, TimerKind::Connect);
                self.prepare_request(id, key, now)
            }
            None => {
                self.close_connection(key);
                false
            }
        }
    }
}

impl Core {
    /// TCP is up on an `https://` connection (through a proxy's tunnel,
    /// if any): the TLS handshake with the origin starts.
    pub(super) fn start_tls(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        self.start_session(key, id, false, now)
    }

    /// The socket reaches an HTTPS proxy: the TLS handshake with the
    /// proxy starts, verified with the proxy's options.
    pub(super) fn start_proxy_tls(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        self.start_session(key, id, true, now)
    }

    /// A TLS session starts on the connection: with the proxy (`proxy`),
    /// or with the origin.
    fn start_session(&mut self, key: ConnKey, id: TransferId, proxy: bool, now: Instant) -> bool {
        let shared = match self.transfers[id.index as usize].easy.inner.extras().share {
            Some(_) => self.share_for(id, Shared::TlsSessions),
            None => None,
        };
        let t = &self.transfers[id.index as usize];
        // Through a proxy the socket's peer is the proxy: the origin's
        // session names no address in its errors (the URL names the
        // origin).
        let peer = match proxy || t.route().proxy().is_none() {
            true => self.conns[key.index as usize].remote_addr,
            false => None,
        };
        let extras = t.easy.inner.extras();
        // A WebSocket or a connect-only transfer speaks HTTP/1.1 on the
        // connection itself: its ALPN offers nothing else, as libcurl's.
        let h1_only = t.route().target.is_websocket() || extras.connect_only;
        let h1_options;
        let options = match (proxy, h1_only, extras.tls.alpn_h2) {
            (true, _, _) => &extras.proxy_tls,
            (false, true, true) => {
                h1_options = TlsOptions {
                    alpn_h2: false,
                    ..extras.tls.clone()
                };
                &h1_options
            }
            _ => &extras.tls,
        };
        let host = match t.route().proxy().filter(|_| proxy) {
            Some(p) => &*p.host,
            None => t.route().target.host(),
        };
        let config = match shared {
            // Sessions kept in the share, lock calls naming this handle.
            Some(share) => shared_config(options, share, t.easy.inner.private),
            None => self.tls_configs.get(options),
        };
        let session = config.and_then(|config| Session::new(config, host, peer));
        match session {
            Ok(session) => {
                let conn = &mut self.conns[key.index as usize];
                match proxy {
                    true => conn.transport.proxy_tls = Some(Box::new(session)),
                    false => conn.transport.tls = Some(Box::new(session)),
                }
                conn.state = ConnState::Handshaking;
                self.drive_handshake(key, now)
            }
            Err(e) => {
                self.close_connection(key);
                self.finish_transfer(id, Err(e), now);
                false
            }
        }
    }

    /// Moves a TLS handshake on. True when it is done and the request is
    /// ready to go.
    pub(super) fn drive_handshake(&mut self, key: ConnKey, now: Instant) -> bool {
        let conn = &mut self.conns[key.index as usize];
        let step = conn.transport.handshake(&*self.env);
        let Some(id) = conn.proto.transfer else {
            self.close_connection(key);
            return false;
        };
        match step {
            Ok(Handshake::Blocked) => false,
            Ok(Handshake::Done) if self.conns[key.index as usize].transport.tls.is_none() => {
                // The proxy's session: its CONNECT or the request next.
                let tls = self.conns[key.index as usize].transport.proxy_tls.as_deref();
                let t = &mut self.transfers[id.index as usize];
                t.easy
                    .inner
                    .trace_text(|| tls.map(Session::describe).unwrap_or_default());
                self.proxy_reached(key, id, now)
            }
            Ok(Handshake::Done) => {
                self.clear_timer(id, TimerKind::Connect);
                let t = &mut self.transfers[id.index as usize];
                t.easy.inner.info.timings.appconnect = t.elapsed(now);
                let tls = self.conns[key.index as usize].transport.tls.as_deref();
                t.easy
                    .inner
                    .trace_text(|| tls.map(Session::describe).unwrap_or_default());
                self.prepare_request(id, key, now)
            }
            Err(e) => {
                self.close_connection(key);
                self.finish_transfer(id, Err(e), now);
                false
            }
        }
    }
}

/// 0 when `addr` has the family of the route's first address, else 1.
fn family(addrs: &[SocketAddr], addr: SocketAddr) -> usize {
    let first_v6 = addrs.first().is_some_and(|a| a.is_ipv6());
    usize::from(addr.is_ipv6() != first_v6)
}

/// Keeps the hooks a new socket was made with, to close it with them
/// whoever closes it, whenever.
fn remember_closer(
    closers: &mut std::collections::HashMap<std::os::fd::RawFd, Arc<dyn SocketHooks + Send + Sync>>,
    fd: std::os::fd::RawFd,
    hooks: Option<&crate::easy::Hooks>,
) {
    match hooks {
        Some(hooks) => {
            closers.insert(fd, Arc::clone(&hooks.0));
        }
        // A number reused after a hooked socket was closed elsewhere (by a
        // share): not the hooks' to close.
        None if !closers.is_empty() => {
            closers.remove(&fd);
        }
        None => {}
    }
}

/// An I/O error as the system words it ("Connection refused").
fn plain_os_error(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::plain_os_error;

    #[test]
    fn system_errors_read_without_rusts_suffix() {
        let refused = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(plain_os_error(&refused), "Connection refused");
        let other = std::io::Error::other("no route (custom)");
        assert_eq!(plain_os_error(&other), "no route (custom)");
    }
}
