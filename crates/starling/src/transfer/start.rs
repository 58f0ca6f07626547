//! One transfer's life inside the multi handle: start, look up, acquire
//! a connection, end.
//!
//! ```text
//!  add ─▶ Queued ─start─▶ target ─▶ addresses known? ─no─▶ Resolving ─(lookup done)─┐
//!            ▲                │            │ yes                                    │
//!            │                │ error      ▼◀───────────────────────────────────────┘
//!            │                │     pooled connection? ──yes──────────────▶ OnConnection
//!            │                │            │ no                                  │
//!            │                │            ▼                                     │ response done,
//!            │                │  slot free? open one ──────────▶ OnConnection    │ error, timeout
//!            │                │            │ no                                  ▼
//!            │                └──────▶ Done ◀── Waiting (FIFO) ──▶ …         Done ─▶ message
//!            │                                                                   │
//!            └──────────── redirect followed (new URL), or 417 (again without Expect)
//! ```
//!
//! A request that dies on a reused connection before any response byte
//! arrived goes back to Queued once, marked to take a fresh connection.

use std::time::Instant;

use super::aside::Speed;
use super::core::Core;
use super::meter::TICK;
use super::state::{Retry, Transfer, TransferState, MAX_RETRIES};
use crate::conn::pool::Wait;
use crate::conn::ConnState;
use crate::conn::MAX_IDLE_AGE;
use crate::easy::{Easy, HttpVersion, IpResolve, Schemes, DEFAULT_EXTRAS};
use crate::error::{Error, ErrorKind};
use crate::events::Message;
use crate::ids::TransferId;
use crate::info::TransferInfo;
use crate::proxy::ProxyKind;
use crate::share::Shared;
use crate::target::{Route, Via};
use crate::timer_queue::{TimerKey, TimerKind};

/// The error of a name that could not be looked up: the proxy's, in
/// libcurl's words and code (5), or the host's (6).
fn unresolved(t: &Transfer, host: &str, reason: &str) -> Error {
    match t.route().proxy().is_some() {
        true => Error::new(
            ErrorKind::CouldntResolveProxy,
            format!("Could not resolve proxy: {host} ({reason})"),
        ),
        false => Error::new(
            ErrorKind::CouldntResolveHost,
            format!("couldn't resolve host '{host}': {reason}"),
        ),
    }
}

impl Core {
    /// Starts (or restarts) a queued transfer: finds where to connect, then
    /// a connection.
    pub(crate) fn start_transfer(&mut self, id: TransferId, now: Instant) {
        self.counters.transfers_touched += 1;
        let Some(t) = self
            .transfers
            .get_mut(id.index as usize)
            .filter(|t| t.generation == id.generation)
        else {
            return;
        };
        if t.state != TransferState::Queued {
            return;
        }
        if t.started.is_none() {
            t.started = Some(now);
            reset_transfer(t, now);
            t.easy.inner.info.started = Some(now);
            t.easy.inner.info.xfer_id = Some(self.started);
            self.started += 1;
            let extras = t.easy.inner.extras();
            if extras.hsts.is_some() || extras.alt_svc.is_some() {
                // Whether HSTS sends the URL over HTTPS, or an alternative
                // service elsewhere, is asked anew for every transfer, as
                // libcurl does: an entry may have come or gone.
                t.easy.inner.route = None;
            }
            if t.easy.inner.route.is_none() {
                match Route::of(t.easy.route_options()) {
                    Ok(route) => t.easy.inner.route = Some(route),
                    Err(e) => return self.finish_transfer(id, Err(e), now),
                }
            }
            if let Err(e) = t.hsts_route() {
                return self.finish_transfer(id, Err(e), now);
            }
            t.load_cookie_files();
            if let Err(e) = t.auth_begin() {
                return self.finish_transfer(id, Err(e), now);
            }
            let https = t.route().target.is_https();
            if !t.easy.inner.extras().protocols.allows(https) {
                return self.finish_transfer(id, Err(Schemes::refuse(https)), now);
            }
            let inner = &t.easy.inner;
            let ticks = inner.extras().low_speed.is_some();
            let fresh = inner.extras().resolve_fresh;
            if let Some(limit) = inner.extras().timeout {
                self.set_timer(id, TimerKind::Total, now + limit);
            }
            if ticks {
                self.set_timer(id, TimerKind::Tick, now + TICK);
            }
            if fresh {
                self.share_resolve_entries(id);
            }
        }
        let t = &mut self.transfers[id.index as usize];
        if t.host.is_none() {
            // A new request target (first start or a redirect): its
            // addresses, then its host's connection slots.
            if t.easy.inner.traced() {
                let notes: Vec<String> = t.route().proxy_env().notes().collect();
                for note in notes {
                    t.easy.inner.trace_text(|| note);
                }
            }
            let via = t.route().via().filter(|_| t.easy.inner.traced()).cloned();
            match via {
                Some(Via {
                    host,
                    port,
                    alt: Some((from, to)),
                    ..
                }) => {
                    let target = &t.route().target;
                    let origin = format!("{}:{}", target.host(), target.port());
                    t.easy.inner.trace_text(|| {
                        format!(
                            "Alt-svc connecting from [{}]{origin} to [{}]{host}:{port}",
                            from.name(),
                            to.name()
                        )
                    });
                }
                Some(Via { proxy: Some(_), .. }) => {}
                // curl -v's lines for a connect-to entry.
                Some(Via { host, port, .. }) => {
                    t.easy
                        .inner
                        .trace_text(|| format!("Connecting to hostname: {host}"));
                    t.easy.inner.trace_text(|| format!("Connecting to port: {port}"));
                }
                None => {}
            }
            if !t.route().fixed() && !self.lookup(id, now) {
                return;
            }
            self.addresses_known(id, now);
            return;
        }
        self.acquire_connection(id, now);
    }

    /// Finds the route's addresses without waiting, or starts a lookup.
    /// False when the transfer now waits for the resolver (or ended).
    fn lookup(&mut self, id: TransferId, now: Instant) -> bool {
        // As in libcurl, the handler hears of the transfer (a progress
        // call) before a lookup or a connect can fail it.
        if !self.progress_call(id, now) {
            return false;
        }
        // A handle with a share looks in the share's cache first.
        if let Some(share) = self.share_for(id, Shared::Dns) {
            if let Some(ips) = self.share_lookup(id, &share, now) {
                route_mut(&mut self.transfers[id.index as usize]).set_addresses(&ips);
                return true;
            }
        }
        let t = &mut self.transfers[id.index as usize];
        if let Some(ips) = self.resolver.immediate(t.route().connect_host(), now) {
            route_mut(t).set_addresses(&ips);
            return true;
        }
        let host = t.route().connect_host().to_owned();
        if let Err(e) = self.resolver.start(&*self.env, &host, id) {
            let e = unresolved(t, &host, &e.to_string());
            self.finish_transfer(id, Err(e), now);
            return false;
        }
        t.state = TransferState::Resolving;
        if self.resolver_reported.is_none() {
            self.resolver_transfer = Some(id);
        }
        let limit = t.easy.inner.extras().connect_timeout;
        self.set_timer(id, TimerKind::Connect, now + limit);
        false
    }

    /// Lookups that finished: their transfers go on (or fail).
    pub(crate) fn lookups_done(&mut self, now: Instant) {
        let mut done = std::mem::take(&mut self.resolved);
        self.resolver.take_finished(now, &mut done);
        for lookup in done.drain(..) {
            for &id in &lookup.waiters {
                let Some(t) = self.transfer_mut(id) else { continue };
                // A SOCKS handshake waiting for its origin's address.
                let socks = t.conn.filter(|_| t.state == TransferState::OnConnection);
                let origin = lookup.is_for(super::tunnel::socks_destination(t));
                if origin && socks.is_some_and(|key| self.conns[key.index as usize].resolving_socks()) {
                    self.socks_origin_known(id, &lookup.result, now);
                    continue;
                }
                let Some(t) = self.transfer_mut(id) else { continue };
                // A waiter that went away or now waits for another name
                // (the list is never searched to take one out).
                if t.state != TransferState::Resolving || !lookup.is_for(t.route().connect_host()) {
                    continue;
                }
                match &lookup.result {
                    Ok(ips) => {
                        route_mut(t).set_addresses(ips);
                        if let Some(share) = self.share_for(id, Shared::Dns) {
                            self.share_learn(id, &share, ips, now);
                        }
                        let t = &mut self.transfers[id.index as usize];
                        t.state = TransferState::Queued;
                        self.addresses_known(id, now);
                    }
                    Err(reason) => {
                        let e = unresolved(t, &lookup.host, &reason.to_string());
                        self.finish_transfer(id, Err(e), now);
                    }
                }
            }
        }
        self.resolved = done;
    }

    /// The request's addresses are known: take a place at its host.
    fn addresses_known(&mut self, id: TransferId, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        t.easy.inner.info.timings.namelookup = t.elapsed(now);
        let only = t.easy.inner.extras().ip_resolve;
        if only != IpResolve::Whatever {
            let route = route_mut(t);
            route.addrs.retain(|a| only.allows(a));
            if route.addrs.is_empty() {
                let family = if only == IpResolve::V4 { "IPv4" } else { "IPv6" };
                let host = route.connect_host();
                let e = Error::new(
                    ErrorKind::CouldntResolveHost,
                    format!("couldn't resolve host '{host}': no {family} address"),
                );
                return self.finish_transfer(id, Err(e), now);
            }
        }
        let t = &self.transfers[id.index as usize];
        let route = t.route();
        let target = &route.target;
        let extras = t.easy.inner.extras();
        let tls = &extras.tls;
        let other_tls = target.is_https() && !tls.is_default();
        let bound = extras.socket.local.as_deref();
        let unix = extras.unix_socket.as_deref();
        // Prior knowledge: a clear-text connection that speaks HTTP/2 only.
        let h2c = t.easy.inner.http_version == HttpVersion::Http2PriorKnowledge && !target.is_https();
        let host = if route.via().is_none()
            && !h2c
            && !other_tls
            && extras.ip_resolve == IpResolve::Whatever
            && bound.is_none()
            && unix.is_none()
        {
            self.pool.hold_host(target.pool_key())
        } else {
            use std::fmt::Write as _;
            let mut key = std::mem::take(&mut self.key_scratch);
            key.clear();
            key.push_str(target.pool_key());
            if let Some(proxy) = route.proxy() {
                // Requests in absolute form go to the proxy whatever their
                // origin: its connections serve every origin (as
                // libcurl's); a tunnel (CONNECT or SOCKS) serves its origin
                // only. Either only with the same credentials.
                match proxy.absolute_form() {
                    false => key.push_str(" tunnel"),
                    true => key.clear(),
                }
                let _ = write!(key, " proxy {:?} {}", proxy.kind, proxy.authority());
                if let Some(pre) = &proxy.pre {
                    let _ = write!(key, " after {:?} {}", pre.kind, pre.authority());
                    if let Some(auth) = &pre.credentials {
                        push_hash(&mut key, auth);
                    }
                }
                if let Some(auth) = &proxy.credentials {
                    push_hash(&mut key, auth);
                }
                if proxy.kind == ProxyKind::Https && extras.proxy_tls != DEFAULT_EXTRAS.proxy_tls {
                    // Nor a proxy verified differently.
                    key.push_str(" proxy-tls");
                    push_hash(&mut key, &extras.proxy_tls);
                }
            } else if let Some(via) = route.via() {
                // A connection is for one origin (its Host header, its TLS
                // name) and goes to one place: both are in its key, so a
                // request that would go elsewhere never takes it.
                let _ = write!(key, " via {}:{}", via.host, via.port);
            }
            if other_tls {
                // Connections verified differently are not interchangeable.
                push_hash(&mut key, tls);
            }
            if h2c {
                key.push_str(" h2c");
            }
            if extras.ip_resolve != IpResolve::Whatever {
                // A connection over the other family must not serve it.
                let _ = write!(key, "#{:?}", extras.ip_resolve);
            }
            if let Some(path) = unix {
                // Connections to a socket serve only that socket.
                let _ = write!(key, " unix {}", path.display());
            }
            if let Some(bound) = bound {
                // Nor one bound elsewhere (libcurl compares the interface
                // and the local port).
                let _ = write!(key, "#{bound:?}");
            }
            let host = self.pool.hold_host(&key);
            self.key_scratch = key;
            host
        };
        self.transfers[id.index as usize].host = Some(host);
        self.acquire_connection(id, now);
    }

    /// Gives the transfer a pooled connection, a new one, or a place in a
    /// wait queue.
    pub(crate) fn acquire_connection(&mut self, id: TransferId, now: Instant) {
        let t = &self.transfers[id.index as usize];
        let host = t.host.expect("a started transfer has a host");
        let extras = t.easy.inner.extras();
        // A connect-only transfer wants a connection of its own, as libcurl's.
        let reuse = !t.fresh_connection && !extras.fresh_connect && !extras.connect_only;
        // A handle that shares connections takes only the share's.
        let share = match t.easy.inner.extras().share {
            Some(_) => self.share_for(id, Shared::Connections),
            None => None,
        };
        if let (None, true) = (&share, reuse) {
            if let Some(conn) = self.find_multiplexed(id) {
                if self.progress_call(id, now) {
                    self.attach_h2(id, conn, now);
                }
                return;
            }
            if self.pipewaits(id, now) {
                return;
            }
        }
        if let (Some(share), true) = (&share, reuse) {
            if let Some(conn) = self.unpark_connection(id, host, share, now) {
                if !self.progress_call(id, now) {
                    self.close_connection(conn);
                    return;
                }
                self.attach(id, conn, now);
                self.runnable.push(conn);
                return;
            }
        } else if reuse && share.is_none() {
            while let Some(conn) = self.pool.take_idle(host, &self.conns) {
                let idle_since = self.conns[conn.index as usize].idle_since;
                if now.saturating_duration_since(idle_since) > MAX_IDLE_AGE {
                    // Servers drop idle connections after a while; a request
                    // sent on one that old would likely be lost.
                    self.close_connection(conn);
                    continue;
                }
                if !self.watch_idle && !self.idle_alive(conn) {
                    // Unwatched while idle: a close by the server is found
                    // here, before a request is lost on it (libcurl's check).
                    self.close_connection(conn);
                    continue;
                }
                if !self.progress_call(id, now) {
                    let epoch = self.conns[conn.index as usize].idle_epoch;
                    self.pool.untake_idle(host, conn, epoch);
                    return;
                }
                self.attach(id, conn, now);
                self.runnable.push(conn);
                return;
            }
        }
        let mut allowed = self.pool.may_open(host);
        if allowed == Err(Wait::Total) {
            // A slot held by an idle connection of another host is better
            // used by a transfer that has work to do.
            if let Some(victim) = self.pool.take_oldest_idle(&self.conns) {
                self.close_connection(victim);
                allowed = self.pool.may_open(host);
            }
        }
        match allowed {
            Ok(()) => {
                if self.progress_call(id, now) {
                    self.open_connection(id, now);
                }
            }
            Err(why) => {
                let t = &mut self.transfers[id.index as usize];
                t.state = TransferState::Waiting;
                t.wait_turned(now);
                self.pool.wait(host, why, id);
            }
        }
    }

    /// Arms (or re-arms) one of the transfer's deadlines.
    pub(crate) fn set_timer(&mut self, id: TransferId, kind: TimerKind, at: Instant) {
        let t = &mut self.transfers[id.index as usize];
        if let Some(old) = t.timers[kind as usize].take() {
            self.timers.remove(old);
        }
        let handle = self.timers.insert(at, TimerKey::Transfer(id, kind));
        self.transfers[id.index as usize].timers[kind as usize] = Some(handle);
    }

    /// Disarms one of the transfer's deadlines.
    pub(crate) fn clear_timer(&mut self, id: TransferId, kind: TimerKind) {
        if let Some(t) = self.transfer_mut(id) {
            if let Some(old) = t.timers[kind as usize].take() {
                self.timers.remove(old);
            }
        }
    }

    /// A deadline of a transfer expired.
    pub(crate) fn timer_fired(&mut self, id: TransferId, kind: TimerKind, now: Instant) {
        let Some(t) = self.transfer_mut(id) else {
            return;
        };
        t.timers[kind as usize] = None;
        if let TimerKind::Phase | TimerKind::Tick = kind {
            return match kind {
                TimerKind::Phase => self.phase_timer(id, now),
                _ => self.tick(id, now),
            };
        }
        let connecting = t
            .conn
            .and_then(|key| self.conns.get(key.index as usize))
            .is_none_or(|c| {
                matches!(
                    c.state,
                    ConnState::Connecting | ConnState::Tunneling | ConnState::Handshaking
                )
            });
        let t = &self.transfers[id.index as usize];
        let error = match kind {
            // The connect timeout while connecting: libcurl's connect
            // failure, for the reason of its code.
            TimerKind::Connect if connecting && t.state == TransferState::OnConnection => {
                connect_error(t.route(), ErrorKind::TimedOut, t.elapsed(now))
            }
            _ => timeout_error(t, connecting, now),
        };
        self.fail_now(id, error, now);
    }

    /// Ends a transfer with `error` wherever it is; its connection (if
    /// any) is closed, being mid-request, unless it is an HTTP/2 one, which
    /// only loses the transfer's stream.
    pub(crate) fn fail_now(&mut self, id: TransferId, error: Error, now: Instant) {
        let Some(t) = self.transfer(id) else { return };
        let conn = t.conn;
        self.finish_transfer(id, Err(error), now);
        if let Some(conn) = conn {
            self.leave_connection(conn, id, false, now);
        }
    }

    /// Ends a transfer: records the end, queues its message, detaches it
    /// from its connection (the caller decides that connection's fate) and
    /// its host. Every way out of a transfer but removal goes through here.
    pub(crate) fn finish_transfer(&mut self, id: TransferId, result: Result<(), Error>, now: Instant) {
        if !self.end_transfer(id, now) {
            return;
        }
        let inner = &mut self.transfers[id.index as usize].easy.inner;
        if let Err(e) = &result {
            inner.trace_text(|| e.message().to_string());
        }
        let result = result.map_err(|e| e.with_url(&inner.url));
        self.messages.push_back(Message { id, result });
    }

    /// The part of ending a transfer that removal shares: it stops counting
    /// as running and lets go of its timers, connection and host. False
    /// when it had already ended.
    pub(crate) fn end_transfer(&mut self, id: TransferId, now: Instant) -> bool {
        let fresh = self.env.now();
        let Some(t) = self.transfer_mut(id) else {
            return false;
        };
        if t.state == TransferState::Done {
            return false;
        }
        if t.state == TransferState::Waiting {
            // It ends still waiting (a deadline): the wait so far.
            t.wait_turned(now);
        }
        t.state = TransferState::Done;
        // A fresh clock, not the call's: a callback that asked for the
        // time so far during this call must not see more than the total.
        t.easy.inner.info.timings.total = t.elapsed(now.max(fresh));
        // Decoder windows and held data can be large; a finished transfer
        // keeps neither.
        if let Some(aside) = t.aside.as_mut() {
            aside.decoder = None;
            aside.held = None;
        }
        let t = &mut self.transfers[id.index as usize];
        let timers = std::mem::take(&mut t.timers);
        let conn = t.conn.take();
        t.stream = None;
        let host = t.host.take();
        if let Some(key) = conn {
            if let Some(c) = self.conn_mut(key) {
                c.proto.transfer = None;
                if let Some(h2) = c.h2.as_mut() {
                    // Its stream is reset (if still open); the connection's
                    // interest changes when it was the last.
                    h2.detach(id);
                    if !h2.busy() {
                        c.idle_since = fresh;
                    }
                    self.mark_dirty(key);
                }
            }
        }
        for handle in timers.into_iter().flatten() {
            self.timers.remove(handle);
        }
        if let Some(host) = host {
            self.pool.release_host(host);
        }
        self.counters.transfers_touched += 1;
        self.running -= 1;
        true
    }

    /// A failed transfer's error, or its request sent again when `retry`
    /// says it may go (libcurl's `Curl_retry_request`): at most
    /// [`MAX_RETRIES`] times, then libcurl's error for giving up.
    pub(crate) fn fail_or_retry(&mut self, id: TransferId, error: Error, retry: Retry, now: Instant) {
        let Some(t) = self.transfer_mut(id) else { return };
        let error = match retry {
            Retry::No => error,
            // libcurl 7.88.1 ends a stream refused five times with the
            // refusal's own code (56) under these words, and other retries
            // with 55 (its `Curl_retry_request`).
            _ if t.retries >= MAX_RETRIES => Error::new(
                match error.kind() {
                    ErrorKind::Http2Stream => ErrorKind::RecvError,
                    _ => ErrorKind::SendError,
                },
                format!("Connection died, tried {MAX_RETRIES} times before giving up"),
            ),
            _ => {
                t.retries += 1;
                let count = t.retries;
                t.easy.inner.trace_text(|| {
                    format!("Connection died, retrying a fresh connect (retry count: {count})")
                });
                t.fresh_connection = retry == Retry::Fresh;
                t.easy.inner.info.body_bytes_sent = 0;
                t.state = TransferState::Queued;
                t.conn = None;
                t.stream = None;
                if self.rewind_body(id, now) {
                    self.ready.push_back(id);
                }
                return;
            }
        };
        self.finish_transfer(id, Err(error), now);
    }
}

/// Clears what a handle and its transfer knew of the handle's last run.
fn reset_transfer(t: &mut Transfer, now: Instant) {
    let easy: &mut Easy = &mut t.easy;
    let info = &mut easy.inner.info;
    *info = TransferInfo::default();
    // The method to be sent, known before any request goes out (libcurl's
    // EFFECTIVE_METHOD answers even for a transfer that never connected).
    info.method = Some(easy.inner.method.clone());
    t.aside = None;
    t.no_expect = false;
    if t.easy.inner.extras().low_speed.is_some() {
        t.aside_mut().speed = Some(Speed::new(now, 0));
    }
}

/// The route of the transfer's current request, to fill in its addresses.
fn route_mut(t: &mut Transfer) -> &mut Route {
    match t.aside.as_mut().and_then(|a| a.redirect.as_mut()) {
        Some(r) => &mut r.route,
        None => t
            .easy
            .inner
            .route
            .as_mut()
            .expect("a started transfer has a route"),
    }
}

/// A deadline's error in libcurl's words, which say where the transfer
/// was: resolving, connecting (the TCP or TLS handshake, or waiting for a
/// connection), or under way, with the body bytes received so far (of
/// how many, when the response said).
fn timeout_error(t: &Transfer, connecting: bool, now: Instant) -> Error {
    let ms = t.elapsed(now).as_millis();
    let message = if t.state == TransferState::Resolving {
        format!("Resolving timed out after {ms} milliseconds")
    } else if t.state != TransferState::OnConnection || connecting {
        format!("Connection timed out after {ms} milliseconds")
    } else {
        let info = &t.easy.inner.info;
        let got = info.body_bytes_received;
        match info.content_length {
            Some(size) => {
                format!("Operation timed out after {ms} milliseconds with {got} out of {size} bytes received")
            }
            None => format!("Operation timed out after {ms} milliseconds with {got} bytes received"),
        }
    };
    Error::new(ErrorKind::TimedOut, message)
}

/// A connect error as the person reading it wants to see it: the host and
/// port connected to (a connect-to entry's, when one applied).
pub(crate) fn connect_error(route: &Route, kind: ErrorKind, after: std::time::Duration) -> Error {
    // libcurl's words, with its text for the result code; the system's
    // reason for each failed attempt is in the verbose trace and in
    // `TransferInfo::os_errno`.
    let why = match kind {
        ErrorKind::AbortedByCallback => "Operation was aborted by an application callback",
        ErrorKind::TimedOut => "Timeout was reached",
        _ => "Couldn't connect to server",
    };
    Error::new(
        kind,
        format!(
            "Failed to connect to {} port {} after {} ms: {why}",
            route.connect_host(),
            route.connect_port(),
            after.as_millis()
        ),
    )
}

/// Adds `value`'s hash to a pool key (`#` and hex digits): connections
/// made with other credentials or options get other keys, without the
/// secrets in the key.
fn push_hash(key: &mut String, value: &impl std::hash::Hash) {
    use std::fmt::Write as _;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    let _ = write!(key, "#{:x}", std::hash::Hasher::finish(&hasher));
}
