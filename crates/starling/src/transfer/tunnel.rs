//! What a connection through a proxy does between the TCP connect and the
//! origin's TLS handshake or the request (within the connect timeout, as
//! libcurl's): the SOCKS handshake with a SOCKS proxy or pre-proxy, the
//! TLS handshake with an HTTPS proxy, and a CONNECT tunnel through an
//! HTTP(S) proxy: the request goes out, the proxy's answer head is read
//! and handed to the header callback as libcurl hands it, and a 2xx opens
//! the tunnel.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use super::aside::NextRequest;
use super::core::Core;
use super::response_head::{at_lines, deliver_head, HeadKind, Said};
use super::state::Transfer;
use crate::conn::{ConnState, Tunnel, MAX_ANSWER};
use crate::error::{Error, ErrorKind};
use crate::handler::Trace;
use crate::ids::{ConnKey, TransferId};
use crate::proxy::{ProxyCode, ProxyKind, SocksError, SocksHandshake, SocksNext, SocksVersion};
use crate::timer_queue::TimerKind;

impl Core {
    /// TCP is up to the proxy (or the pre-proxy): its handshakes start.
    /// True when the request is ready to go.
    pub(super) fn start_tunnel(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        if self.transfers[id.index as usize]
            .route()
            .proxy()
            .is_some_and(|p| p.kind.socks().is_some() || p.pre.is_some())
        {
            return self.start_socks(key, id, now);
        }
        self.proxy_reached(key, id, now)
    }

    /// The socket reaches the HTTP(S) proxy, directly or through the
    /// pre-proxy: TLS with an HTTPS proxy first, then the CONNECT, or the
    /// request in absolute form. True when the request is ready to go.
    pub(super) fn proxy_reached(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let Some(proxy) = self.transfers[id.index as usize].route().proxy() else {
            return self.tunnel_open(key, id, now);
        };
        let tunnel = proxy.tunnel;
        if proxy.kind == ProxyKind::Https && self.conns[key.index as usize].transport.proxy_tls.is_none() {
            return self.start_proxy_tls(key, id, now);
        }
        match tunnel {
            true => self.start_connect(key, id, now),
            false => self.tunnel_open(key, id, now),
        }
    }

    /// The CONNECT request to the HTTP proxy starts.
    fn start_connect(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let authority = connect_authority(t);
        t.easy
            .inner
            .trace_text(|| format!("Establish HTTP proxy tunnel to {authority}"));
        let tunnel = connect_request(t, &authority);
        let conn = &mut self.conns[key.index as usize];
        conn.tunnel = Some(Box::new(tunnel));
        conn.state = ConnState::Tunneling;
        self.drive_tunnel(key, now)
    }

    /// Moves the tunnel on: the request out, the answer in. True when the
    /// tunnel is open and the request is ready to go.
    pub(super) fn drive_tunnel(&mut self, key: ConnKey, now: Instant) -> bool {
        let Some(id) = self.conns[key.index as usize].proto.transfer else {
            self.close_connection(key);
            return false;
        };
        match self.tunnel_step(key) {
            Ok(false) => false,
            Ok(true) => self.tunnel_answered(key, id, now),
            Err(e) => {
                self.close_connection(key);
                self.finish_transfer(id, Err(e), now);
                false
            }
        }
    }

    /// Writes and reads what the socket takes; true once the answer head
    /// is whole.
    fn tunnel_step(&mut self, key: ConnKey) -> Result<bool, Error> {
        let conn = &mut self.conns[key.index as usize];
        let Some(tunnel) = conn.tunnel.as_mut() else {
            return Ok(false);
        };
        while !tunnel.sent_all() {
            match conn.transport.write(&*self.env, &tunnel.request[tunnel.sent..]) {
                // Nothing taken: as a full socket, wait to be writable.
                Ok(0) => return Ok(false),
                Ok(n) => tunnel.sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::SendError,
                        format!("Failed sending CONNECT to proxy: {e}"),
                    ))
                }
            }
        }
        let mut buf = [0u8; 4096];
        while tunnel.discard > 0 || !tunnel.answered() {
            if tunnel.answer.len() > MAX_ANSWER {
                return Err(Error::new(
                    ErrorKind::RecvError,
                    "the proxy's answer to CONNECT is too large",
                ));
            }
            let want = tunnel.to_read(buf.len());
            match conn.transport.read(&*self.env, &mut buf[..want]) {
                Ok(0) if tunnel.socks.is_some() => {
                    return Err(socks_failed(
                        &mut self.transfers,
                        conn.proto.transfer,
                        SocksError {
                            code: ProxyCode::Closed,
                            message: "connection to proxy closed".into(),
                        },
                    ))
                }
                Ok(0) => return Err(Error::new(ErrorKind::RecvError, "Proxy CONNECT aborted")),
                Ok(n) => {
                    // The last answer's body first, dropped.
                    let skip = tunnel.discard.min(n as u64) as usize;
                    tunnel.discard -= skip as u64;
                    tunnel.answer.extend_from_slice(&buf[skip..n]);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::new(
                        ErrorKind::RecvError,
                        format!("Proxy CONNECT aborted: {e}"),
                    ))
                }
            }
        }
        Ok(true)
    }

    /// The proxy answered: its head goes to the header callback (its
    /// challenges read as they pass); a 2xx opens the tunnel (TLS to the
    /// origin next, or the request), a 407 whose challenge the proxy's
    /// credentials can answer asks again, anything else fails the
    /// transfer.
    fn tunnel_answered(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let tunnel = self.conns[key.index as usize].tunnel.take().expect("a tunnel");
        if tunnel.socks.is_some() {
            return self.socks_answered(key, id, tunnel, now);
        }
        let head_len = tunnel.head_len().unwrap_or(tunnel.answer.len());
        let head = &tunnel.answer[..head_len];
        let status = tunnel.status();
        let t = &mut self.transfers[id.index as usize];
        t.easy.inner.info.connect_code = status.unwrap_or(0);
        let auth_words = match status {
            Some(407) => t.auth_read_values(true, tunnel.fields("proxy-authenticate")),
            _ => Vec::new(),
        };
        let mut words = Vec::new();
        at_lines(head, "proxy-authenticate", &auth_words, &mut words);
        // libcurl reads a CONNECT answer's field after handing it on.
        let said = Said {
            words: &words,
            after: true,
        };
        let outlet = t.easy.inner.outlet();
        let aborted = t
            .easy
            .inner
            .with_handler(|h, _| deliver_head(h, head, &outlet, HeadKind::Final, said))
            == crate::handler::Flow::Abort;
        if !aborted && status == Some(407) && t.auth_again(407, true) {
            return self.tunnel_again(key, id, &tunnel, now);
        }
        let error = match status {
            _ if aborted => Some(Error::new(
                ErrorKind::AbortedByCallback,
                "aborted by the header callback",
            )),
            Some(code) if (200..300).contains(&code) => None,
            Some(code) => Some(Error::new(
                ErrorKind::RecvError,
                format!("CONNECT tunnel failed, response {code}"),
            )),
            None => Some(Error::new(
                ErrorKind::RecvError,
                "the proxy's answer to CONNECT is not HTTP",
            )),
        };
        if let Some(e) = error {
            self.close_connection(key);
            self.finish_transfer(id, Err(e), now);
            return false;
        }
        t.easy.inner.trace_text(|| "CONNECT phase completed".to_owned());
        self.tunnel_open(key, id, now)
    }

    /// The proxy connected the socket to the origin (or takes requests in
    /// absolute form): TLS with the origin next, or the request.
    fn tunnel_open(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        self.conns[key.index as usize].state = ConnState::Connecting;
        if self.transfers[id.index as usize].route().target.is_https() {
            return self.start_tls(key, id, now);
        }
        self.clear_timer(id, TimerKind::Connect);
        self.prepare_request(id, key, now)
    }

    /// TCP is up to a SOCKS proxy: its handshake starts.
    fn start_socks(&mut self, key: ConnKey, id: TransferId, now: Instant) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let route = t.route();
        let Some(proxy) = route.proxy() else {
            return false;
        };
        let target = &route.target;
        let Some((socks, (host, port))) = proxy.socks_hop((target.host(), target.port())) else {
            return false;
        };
        let Some(version) = socks.kind.socks() else {
            return false;
        };
        // Through a pre-proxy libcurl says where the hop leads first.
        let said = (proxy.pre.is_some() && t.easy.inner.traced()).then(|| {
            let name = match version {
                SocksVersion::V4 => "SOCKS4",
                SocksVersion::V4a => "SOCKS4a",
                SocksVersion::V5 | SocksVersion::V5h => "SOCKS5",
            };
            format!("{name}: connecting to HTTP proxy {host} port {port}")
        });
        // SOCKS5 offers the credentials only with Basic allowed (SOCKS4
        // always names its user).
        let basic =
            t.easy.inner.extras().socks5_basic || matches!(version, SocksVersion::V4 | SocksVersion::V4a);
        let creds = socks.credentials.as_deref().filter(|_| basic);
        let mut handshake = SocksHandshake::new(
            version,
            host,
            // An address needs no lookup.
            host.parse().ok(),
            port,
            creds.map(|c| &*c.user),
            creds.map(|c| &*c.password),
        );
        if let Some(line) = said {
            t.easy.inner.trace_text(|| line);
        }
        let next = handshake.start();
        let tunnel = Box::new(Tunnel::socks(handshake, Vec::new()));
        self.conns[key.index as usize].state = ConnState::Tunneling;
        self.socks_step(key, id, tunnel, next, now)
    }

    /// A SOCKS step's answer is whole: the next step, the origin reached,
    /// or the transfer failed with libcurl's proxy code.
    fn socks_answered(
        &mut self,
        key: ConnKey,
        id: TransferId,
        mut tunnel: Box<Tunnel>,
        now: Instant,
    ) -> bool {
        let handshake = tunnel.socks.as_mut().expect("a SOCKS handshake");
        let next = handshake.answered(&tunnel.answer);
        self.socks_step(key, id, tunnel, next, now)
    }

    /// The lookup of a SOCKS origin ended: the handshake goes on, or the
    /// transfer fails as libcurl's handshake fails (97).
    pub(super) fn socks_origin_known(
        &mut self,
        id: TransferId,
        result: &Result<Arc<[IpAddr]>, String>,
        now: Instant,
    ) {
        let Some(key) = self.transfers[id.index as usize].conn else {
            return;
        };
        let Some(mut tunnel) = self.conns[key.index as usize].tunnel.take() else {
            return;
        };
        tunnel.resolving = false;
        let handshake = tunnel.socks.as_mut().expect("a SOCKS handshake");
        let next = handshake.resolved(result.as_deref().ok());
        self.socks_step(key, id, tunnel, next, now);
        // Not within an event of the connection: its interest changed.
        self.mark_dirty(key);
    }

    /// Does what the handshake asks next (its words traced first). True
    /// when the request is ready to go.
    fn socks_step(
        &mut self,
        key: ConnKey,
        id: TransferId,
        mut tunnel: Box<Tunnel>,
        next: Result<SocksNext, SocksError>,
        now: Instant,
    ) -> bool {
        let t = &mut self.transfers[id.index as usize];
        let handshake = tunnel.socks.as_mut().expect("a SOCKS handshake");
        for line in handshake.take_said() {
            t.easy.inner.trace_text(|| line);
        }
        match next {
            Ok(SocksNext::Send(request)) => {
                tunnel.request = request;
                tunnel.sent = 0;
                tunnel.answer.clear();
                self.conns[key.index as usize].tunnel = Some(tunnel);
                self.drive_tunnel(key, now)
            }
            Ok(SocksNext::Resolve) => {
                let host = socks_destination(t).to_owned();
                let next = match self.resolver.immediate(&host, now) {
                    Some(ips) => handshake.resolved(Some(&ips)),
                    None => match self.resolver.start(&*self.env, &host, id) {
                        Ok(()) => {
                            if t.route().proxy().is_some_and(|p| p.kind == ProxyKind::Socks4) {
                                t.easy
                                    .inner
                                    .trace_text(|| format!("SOCKS4 non-blocking resolve of {host}"));
                            }
                            // The connection waits for the resolver.
                            tunnel.resolving = true;
                            self.conns[key.index as usize].tunnel = Some(tunnel);
                            return false;
                        }
                        Err(_) => handshake.resolved(None),
                    },
                };
                self.socks_step(key, id, tunnel, next, now)
            }
            // Through a pre-proxy to an HTTP(S) proxy: its TLS, its
            // CONNECT or the request next.
            Ok(SocksNext::Done) if t.route().proxy().is_some_and(|p| p.pre.is_some()) => {
                self.proxy_reached(key, id, now)
            }
            Ok(SocksNext::Done) => self.tunnel_open(key, id, now),
            Err(e) => {
                let e = socks_failed(&mut self.transfers, Some(id), e);
                self.close_connection(key);
                self.finish_transfer(id, Err(e), now);
                false
            }
        }
    }

    /// The proxy asked for credentials the transfer can give: a CONNECT
    /// with them goes out on the same connection once the 407's body is
    /// read, or on a new connection when the proxy closes this one or its
    /// body's end is not known (libcurl's "Connect me again please").
    fn tunnel_again(&mut self, key: ConnKey, id: TransferId, last: &Tunnel, now: Instant) -> bool {
        let head_len = last.head_len().unwrap_or(last.answer.len());
        let Some(body) = last.body_length() else {
            self.close_connection(key);
            let t = &mut self.transfers[id.index as usize];
            t.aside_mut().next = Some(NextRequest::Authenticate);
            self.start_next(id, now);
            return false;
        };
        let t = &mut self.transfers[id.index as usize];
        let authority = connect_authority(t);
        let mut tunnel = connect_request(t, &authority);
        let read = (last.answer.len() - head_len) as u64;
        tunnel.discard = body.saturating_sub(read);
        if read > body {
            tunnel
                .answer
                .extend_from_slice(&last.answer[head_len + body as usize..]);
        }
        self.conns[key.index as usize].tunnel = Some(Box::new(tunnel));
        self.drive_tunnel(key, now)
    }
}

/// `host:port` of the transfer's origin (IPv6 in brackets): what a
/// CONNECT asks for.
fn connect_authority(t: &Transfer) -> String {
    let target = &t.route().target;
    let host = target.host();
    match host.contains(':') {
        true => format!("[{host}]:{}", target.port()),
        false => format!("{host}:{}", target.port()),
    }
}

/// The CONNECT request, with the proxy's credentials and the
/// application's User-Agent, traced as libcurl traces it.
fn connect_request(t: &mut Transfer, authority: &str) -> Tunnel {
    let auth = t.connect_auth(authority);
    let agent = t
        .easy
        .inner
        .extras()
        .option_fields
        .before_accept
        .get("User-Agent");
    let extras = t.easy.inner.extras();
    let custom = match extras.unified_headers {
        true => &t.easy.inner.headers,
        false => &extras.proxy_headers,
    };
    let tunnel = Tunnel::new(authority, auth.proxy.as_deref(), agent, custom);
    for line in auth.said {
        t.easy.inner.trace_text(|| line);
    }
    t.easy.inner.trace(Trace::HeaderOut, &tunnel.request);
    tunnel
}

/// The error of a failed SOCKS handshake, its proxy code kept in the
/// transfer's info (libcurl's `CURLINFO_PROXY_ERROR`).
fn socks_failed(transfers: &mut slab::Slab<Transfer>, id: Option<TransferId>, e: SocksError) -> Error {
    if let Some(t) = id.and_then(|id| transfers.get_mut(id.index as usize)) {
        t.easy.inner.info.proxy_error = e.code as u8;
    }
    Error::new(ErrorKind::Proxy, e.message)
}

/// The name a SOCKS handshake of the transfer asks for: the origin's, or
/// through a pre-proxy the HTTP proxy's.
pub(super) fn socks_destination(t: &Transfer) -> &str {
    let route = t.route();
    let target = &route.target;
    route
        .proxy()
        .and_then(|p| p.socks_hop((target.host(), target.port())))
        .map_or(target.host(), |(_, (host, _))| host)
}
