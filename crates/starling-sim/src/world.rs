//! The simulated network: a virtual clock, descriptor numbers, client
//! sockets, the servers behind them, and the queue of what happens next.
//!
//! Nothing here runs on its own. Time moves only when the application's
//! loop (`run.rs`) finds nothing ready and asks for the next event; every
//! choice (a short read, a spurious EAGAIN, a reset) is drawn from one
//! seeded generator, so a seed replays a run exactly.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

use starling::env::{LookupDone, LookupJob};

use crate::server::http1::Http1Conn;
use crate::server::http2::Http2Conn;
use crate::server::{ServerConfig, ServerConn, ServerOut};

/// How the network between the engine and every server behaves.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// One-way delay of every packet.
    pub latency: Duration,
    /// Bytes per second in each direction of each connection (0: unlimited).
    pub bandwidth: u64,
    /// Bytes a socket's send buffer holds before writes block.
    pub send_buffer: usize,
    /// Chance (0..1) that a read or write moves fewer bytes than it could.
    pub partial_io: f64,
    /// Chance (0..1) that a read or write on a ready socket says
    /// WouldBlock anyway (an EAGAIN storm at high values).
    pub spurious_eagain: f64,
    /// Largest piece a server's answer is cut into on the wire.
    pub segment: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            latency: Duration::from_millis(1),
            bandwidth: 0,
            send_buffer: 256 * 1024,
            partial_io: 0.0,
            spurious_eagain: 0.0,
            segment: 64 * 1024,
        }
    }
}

/// What answers at an address.
#[derive(Debug, Clone)]
pub enum Listener {
    /// An HTTP/1.1 server.
    Http(ServerConfig),
    /// An HTTP/2 server for clients with prior knowledge (h2c).
    Http2(ServerConfig),
    /// Nothing listens: connects are refused at once (RST).
    Refuse,
    /// Packets vanish: connects never complete.
    Blackhole,
}

/// A name in the simulated DNS.
#[derive(Debug, Clone)]
pub struct HostEntry {
    /// Its addresses, in the order the resolver gives them.
    pub addrs: Vec<IpAddr>,
    /// How long the lookup takes.
    pub latency: Duration,
    /// The lookup fails with this reason instead.
    pub failure: Option<String>,
}

/// Where a client socket stands.
#[derive(Debug)]
enum SockState {
    Connecting,
    Connected,
    Refused,
}

/// A client socket (the engine's side of a connection).
#[derive(Debug)]
struct ClientSock {
    /// Unique over the run (descriptor numbers are reused).
    id: u64,
    remote: SocketAddr,
    local: SocketAddr,
    state: SockState,
    /// Bytes arrived and not read yet.
    rx: VecDeque<u8>,
    rx_eof: bool,
    rx_reset: bool,
    /// The server, gone, answered bytes written after its FIN with a
    /// reset: writes fail; what arrived before stays readable, then the
    /// end (as Linux gives it: the FIN came first).
    tx_refused: bool,
    /// Bytes written and not yet arrived at the server.
    in_flight: usize,
    /// When the last byte written arrives (keeps the stream in order).
    tx_busy_until: Duration,
    /// When the last byte the server sent arrives (keeps that stream in
    /// order too).
    rx_busy_until: Duration,
}

/// What the descriptor numbers stand for.
#[derive(Debug)]
enum Fd {
    Sock(ClientSock),
    /// The resolver's wake-up descriptor.
    Wake,
}

/// Something that happens at a virtual time.
#[derive(Debug)]
enum Ev {
    /// A connect's SYN reached its address.
    ConnectArrives(u64),
    /// The SYN-ACK (true) or the RST of a refusal (false) reaches the client.
    Handshake(u64, bool),
    /// Bytes from the client reach the server.
    ToServer(u64, Vec<u8>),
    /// The client closed; the server sees the end.
    ClientClosed(u64),
    /// Bytes from the server reach the client.
    ToClient(u64, Vec<u8>),
    /// The server's FIN (true) or RST (false) reaches the client.
    ServerClosed(u64, bool),
    /// The reset answering bytes sent after the server's FIN arrives.
    PeerReset(u64),
    /// The server closes a connection idle since `generation`.
    IdleClose(u64, u32),
    /// A lookup finished.
    LookupDone(LookupDone),
}

/// Counts of what happened, for reports and tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct NetStats {
    /// Connects the engine started.
    pub connects: u64,
    /// Connections a server accepted.
    pub accepted: u64,
    /// Requests servers answered.
    pub requests: u64,
    /// Lookups the resolver ran.
    pub lookups: u64,
    /// Reads and writes cut short, and spurious EAGAINs.
    pub partial_io: u64,
    /// Spurious EAGAINs.
    pub spurious_eagain: u64,
    /// Connections servers closed while idle.
    pub idle_closes: u64,
}

/// The whole simulated network.
pub struct World {
    base: Instant,
    now: Duration,
    pub(crate) rng: fastrand::Rng,
    pub(crate) net: NetConfig,
    fds: Vec<Option<Fd>>,
    /// Free slots of `fds`, lowest first.
    free: BinaryHeap<Reverse<usize>>,
    /// Client socket id → descriptor, while open.
    by_id: HashMap<u64, RawFd>,
    servers: HashMap<u64, ServerConn>,
    listeners: HashMap<SocketAddr, Listener>,
    hosts: HashMap<String, HostEntry>,
    events: BinaryHeap<Reverse<(Duration, u64)>>,
    payloads: HashMap<u64, Ev>,
    seq: u64,
    next_sock: u64,
    next_port: u16,
    /// Descriptors whose readiness may have changed since the loop looked.
    pub(crate) touched: Vec<RawFd>,
    /// The resolver's wake descriptor and its finished lookups.
    wake: Option<RawFd>,
    finished: Vec<LookupDone>,
    pub(crate) stats: NetStats,
    /// Descriptors the engine closed, in order, for the contract checker.
    pub(crate) closed: Vec<RawFd>,
}

impl World {
    /// An empty network whose choices follow `seed`.
    pub fn new(seed: u64, net: NetConfig) -> World {
        World {
            base: Instant::now(),
            now: Duration::ZERO,
            rng: fastrand::Rng::with_seed(seed),
            net,
            fds: Vec::new(),
            free: BinaryHeap::new(),
            by_id: HashMap::new(),
            servers: HashMap::new(),
            listeners: HashMap::new(),
            hosts: HashMap::new(),
            events: BinaryHeap::new(),
            payloads: HashMap::new(),
            seq: 0,
            next_sock: 0,
            next_port: 40_000,
            touched: Vec::new(),
            wake: None,
            finished: Vec::new(),
            stats: NetStats::default(),
            closed: Vec::new(),
        }
    }

    /// Puts `listener` at `addr`.
    pub fn listen(&mut self, addr: SocketAddr, listener: Listener) {
        self.listeners.insert(addr, listener);
    }

    /// Adds `name` to the DNS.
    pub fn host(&mut self, name: &str, entry: HostEntry) {
        self.hosts.insert(name.to_ascii_lowercase(), entry);
    }

    /// The virtual time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now
    }

    /// The virtual clock as an `Instant`.
    pub fn now(&self) -> Instant {
        self.base + self.now
    }

    /// Client sockets and wake descriptors open now.
    pub fn open_descriptors(&self) -> usize {
        self.fds.len() - self.free.len()
    }

    /// When the next event happens, if any.
    pub(crate) fn next_event(&self) -> Option<Duration> {
        self.events.peek().map(|Reverse((at, _))| *at)
    }

    /// Moves the clock to `to` (never backwards).
    pub(crate) fn advance(&mut self, to: Duration) {
        self.now = self.now.max(to);
    }

    /// Runs every event due now.
    pub(crate) fn run_due(&mut self) {
        while let Some(&Reverse((at, seq))) = self.events.peek() {
            if at > self.now {
                break;
            }
            self.events.pop();
            if let Some(ev) = self.payloads.remove(&seq) {
                self.happen(ev);
            }
        }
    }

    fn schedule(&mut self, at: Duration, ev: Ev) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq)));
        self.payloads.insert(self.seq, ev);
    }

    /// The lowest free descriptor number, as the kernel gives them.
    fn alloc_fd(&mut self, what: Fd) -> RawFd {
        let slot = match self.free.pop() {
            Some(Reverse(i)) => i,
            None => {
                self.fds.push(None);
                self.fds.len() - 1
            }
        };
        self.fds[slot] = Some(what);
        // 0, 1 and 2 are the standard streams in a real process.
        slot as RawFd + 3
    }

    fn slot(fd: RawFd) -> usize {
        (fd - 3) as usize
    }

    fn sock(&self, fd: RawFd) -> Option<&ClientSock> {
        match self.fds.get(Self::slot(fd))? {
            Some(Fd::Sock(s)) => Some(s),
            _ => None,
        }
    }

    fn sock_mut(&mut self, fd: RawFd) -> Option<&mut ClientSock> {
        match self.fds.get_mut(Self::slot(fd))? {
            Some(Fd::Sock(s)) => Some(s),
            _ => None,
        }
    }

    fn sock_by_id(&mut self, id: u64) -> Option<(RawFd, &mut ClientSock)> {
        let fd = *self.by_id.get(&id)?;
        self.sock_mut(fd).map(|s| (fd, s))
    }

    /// Whether an answer is drawn to be cut short or refused for no reason.
    fn hiccup(&mut self) -> (bool, bool) {
        let eagain = self.net.spurious_eagain > 0.0 && self.rng.f64() < self.net.spurious_eagain;
        let partial = self.net.partial_io > 0.0 && self.rng.f64() < self.net.partial_io;
        (eagain, partial)
    }

    // The engine's calls (through `SimEnv`).

    pub(crate) fn connect(&mut self, addr: SocketAddr) -> io::Result<RawFd> {
        self.next_sock += 1;
        self.next_port = self.next_port.checked_add(1).unwrap_or(40_000);
        let id = self.next_sock;
        let local = match addr {
            SocketAddr::V4(_) => SocketAddr::new(IpAddr::from([10, 255, 0, 1]), self.next_port),
            SocketAddr::V6(_) => SocketAddr::new("fd00::1".parse().expect("literal"), self.next_port),
        };
        let sock = ClientSock {
            id,
            remote: addr,
            local,
            state: SockState::Connecting,
            rx: VecDeque::new(),
            rx_eof: false,
            rx_reset: false,
            tx_refused: false,
            in_flight: 0,
            tx_busy_until: Duration::ZERO,
            rx_busy_until: Duration::ZERO,
        };
        let fd = self.alloc_fd(Fd::Sock(sock));
        self.by_id.insert(id, fd);
        self.stats.connects += 1;
        let at = self.now + self.net.latency;
        self.schedule(at, Ev::ConnectArrives(id));
        Ok(fd)
    }

    pub(crate) fn connect_state(&self, fd: RawFd) -> starling::env::ConnectState {
        use starling::env::ConnectState;
        match self.sock(fd).map(|s| &s.state) {
            Some(SockState::Connected) => ConnectState::Connected(self.sock(fd).map(|s| s.remote)),
            Some(SockState::Connecting) => ConnectState::InProgress,
            Some(SockState::Refused) => ConnectState::Failed(io::ErrorKind::ConnectionRefused.into()),
            None => ConnectState::Failed(io::Error::from_raw_os_error(9)),
        }
    }

    pub(crate) fn local_addr(&self, fd: RawFd) -> Option<SocketAddr> {
        self.sock(fd).map(|s| s.local)
    }

    pub(crate) fn read(&mut self, fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
        let (eagain, partial) = self.hiccup();
        let rng_len = if partial {
            self.rng.usize(1..=buf.len().max(1))
        } else {
            buf.len()
        };
        let Some(sock) = self.sock_mut(fd) else {
            return Err(io::Error::from_raw_os_error(9));
        };
        if sock.rx.is_empty() {
            if sock.rx_reset {
                return Err(io::ErrorKind::ConnectionReset.into());
            }
            if sock.rx_eof {
                return Ok(0);
            }
            if !matches!(sock.state, SockState::Connected) {
                return Err(io::ErrorKind::NotConnected.into());
            }
            return Err(io::ErrorKind::WouldBlock.into());
        }
        if eagain {
            self.stats.spurious_eagain += 1;
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let sock = self.sock_mut(fd).expect("checked");
        let n = rng_len.min(sock.rx.len()).min(buf.len());
        let (a, b) = sock.rx.as_slices();
        let from_a = n.min(a.len());
        buf[..from_a].copy_from_slice(&a[..from_a]);
        buf[from_a..n].copy_from_slice(&b[..n - from_a]);
        sock.rx.drain(..n);
        if partial {
            self.stats.partial_io += 1;
        }
        Ok(n)
    }

    pub(crate) fn write(&mut self, fd: RawFd, data: &[u8]) -> io::Result<usize> {
        let (eagain, partial) = self.hiccup();
        let cut = if partial {
            self.rng.usize(1..=data.len().max(1))
        } else {
            data.len()
        };
        let (send_buffer, latency, bandwidth, now) = (
            self.net.send_buffer,
            self.net.latency,
            self.net.bandwidth,
            self.now,
        );
        let Some(sock) = self.sock_mut(fd) else {
            return Err(io::Error::from_raw_os_error(9));
        };
        if sock.rx_reset {
            return Err(io::ErrorKind::ConnectionReset.into());
        }
        if sock.tx_refused {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        if sock.rx_eof {
            // The server is gone: the bytes are taken and answered with a
            // reset, which arrives a round trip later.
            let id = sock.id;
            self.schedule(now + 2 * latency, Ev::PeerReset(id));
            return Ok(data.len());
        }
        if !matches!(sock.state, SockState::Connected) {
            return Err(io::ErrorKind::NotConnected.into());
        }
        let room = send_buffer.saturating_sub(sock.in_flight);
        if room == 0 || eagain {
            if eagain {
                self.stats.spurious_eagain += 1;
            }
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = data.len().min(room).min(cut);
        sock.in_flight += n;
        let at = (now + latency).max(sock.tx_busy_until) + transmit(n, bandwidth);
        sock.tx_busy_until = at;
        let id = sock.id;
        if partial {
            self.stats.partial_io += 1;
        }
        self.schedule(at, Ev::ToServer(id, data[..n].to_vec()));
        Ok(n)
    }

    pub(crate) fn has_input(&self, fd: RawFd) -> bool {
        self.sock(fd).is_some_and(|s| !s.rx.is_empty())
    }

    pub(crate) fn close(&mut self, fd: RawFd) {
        let slot = Self::slot(fd);
        let was = self.fds.get_mut(slot).and_then(Option::take);
        if was.is_some() {
            self.free.push(Reverse(slot));
        }
        match was {
            Some(Fd::Sock(sock)) => {
                self.by_id.remove(&sock.id);
                if self.servers.contains_key(&sock.id) {
                    let at = self.now + self.net.latency;
                    self.schedule(at, Ev::ClientClosed(sock.id));
                }
            }
            Some(Fd::Wake) => self.wake = None,
            None => panic!("the engine closed descriptor {fd}, which is not open"),
        }
        self.closed.push(fd);
    }

    /// Readiness of `fd` as epoll would report it: (readable, writable,
    /// error), or `None` for a descriptor that is not open.
    pub(crate) fn readiness(&self, fd: RawFd) -> Option<(bool, bool, bool)> {
        match self.fds.get(Self::slot(fd))?.as_ref()? {
            Fd::Wake => Some((!self.finished.is_empty(), false, false)),
            Fd::Sock(s) => Some(match s.state {
                SockState::Connecting => (false, false, false),
                SockState::Refused => (true, true, true),
                SockState::Connected => {
                    let readable = !s.rx.is_empty() || s.rx_eof || s.rx_reset;
                    let failed = s.rx_reset || s.tx_refused;
                    let writable = s.in_flight < self.net.send_buffer || failed;
                    (readable, writable, failed)
                }
            }),
        }
    }

    // The resolver (through `SimLookups`).

    pub(crate) fn wake_fd(&mut self) -> RawFd {
        match self.wake {
            Some(fd) => fd,
            None => {
                let fd = self.alloc_fd(Fd::Wake);
                self.wake = Some(fd);
                fd
            }
        }
    }

    pub(crate) fn submit(&mut self, job: LookupJob) {
        self.stats.lookups += 1;
        let entry = self.hosts.get(&job.key).cloned();
        let (latency, result) = match entry {
            None => (self.net.latency, Err("Name or service not known".to_owned())),
            Some(e) => match e.failure {
                Some(reason) => (e.latency, Err(reason)),
                None if e.addrs.is_empty() => (e.latency, Err("no address for this name".to_owned())),
                None => (e.latency, Ok(Arc::from(e.addrs))),
            },
        };
        let at = self.now + latency;
        self.schedule(at, Ev::LookupDone(LookupDone { key: job.key, result }));
    }

    pub(crate) fn take_finished(&mut self, out: &mut Vec<LookupDone>) {
        out.append(&mut self.finished);
    }

    // The network's side.

    fn happen(&mut self, ev: Ev) {
        match ev {
            Ev::ConnectArrives(id) => self.connect_arrives(id),
            Ev::Handshake(id, accepted) => {
                if let Some((fd, sock)) = self.sock_by_id(id) {
                    sock.state = if accepted {
                        SockState::Connected
                    } else {
                        SockState::Refused
                    };
                    self.touched.push(fd);
                }
            }
            Ev::ToServer(id, bytes) => {
                if let Some((_, sock)) = self.sock_by_id(id) {
                    sock.in_flight -= bytes.len();
                    let fd = self.by_id[&id];
                    self.touched.push(fd);
                }
                let Some(mut server) = self.servers.remove(&id) else {
                    return;
                };
                let out = server.receive(&bytes, &mut self.rng);
                self.stats.requests += out.requests;
                self.servers.insert(id, server);
                self.server_out(id, out);
            }
            Ev::ClientClosed(id) => {
                self.servers.remove(&id);
            }
            Ev::ToClient(id, bytes) => {
                if let Some((fd, sock)) = self.sock_by_id(id) {
                    if !sock.rx_reset {
                        sock.rx.extend(bytes);
                        self.touched.push(fd);
                    }
                }
            }
            Ev::ServerClosed(id, clean) => {
                if let Some((fd, sock)) = self.sock_by_id(id) {
                    if clean {
                        sock.rx_eof = true;
                    } else {
                        // A reset throws away what was not read yet.
                        sock.rx_reset = true;
                        sock.rx.clear();
                    }
                    self.touched.push(fd);
                }
            }
            Ev::PeerReset(id) => {
                if let Some((fd, sock)) = self.sock_by_id(id) {
                    sock.tx_refused = true;
                    self.touched.push(fd);
                }
            }
            Ev::IdleClose(id, generation) => {
                let idle = self
                    .servers
                    .get(&id)
                    .is_some_and(|s| s.idle_generation() == Some(generation));
                if let Some(mut server) = idle.then(|| self.servers.remove(&id)).flatten() {
                    self.stats.idle_closes += 1;
                    let at = self.now + self.net.latency;
                    let farewell = server.farewell();
                    if !farewell.is_empty() {
                        self.schedule(at, Ev::ToClient(id, farewell));
                    }
                    self.schedule(at, Ev::ServerClosed(id, !server.idle_reset()));
                }
            }
            Ev::LookupDone(done) => {
                self.finished.push(done);
                if let Some(fd) = self.wake {
                    self.touched.push(fd);
                }
            }
        }
    }

    fn connect_arrives(&mut self, id: u64) {
        let Some((_, sock)) = self.sock_by_id(id) else {
            return;
        };
        let remote = sock.remote;
        let at = self.now + self.net.latency;
        match self.listeners.get(&remote).cloned() {
            Some(Listener::Http(config)) => {
                self.stats.accepted += 1;
                self.servers.insert(id, ServerConn::Http1(Http1Conn::new(config)));
                self.schedule(at, Ev::Handshake(id, true));
            }
            Some(Listener::Http2(config)) => {
                self.stats.accepted += 1;
                let server = ServerConn::Http2(Box::new(Http2Conn::new(config)));
                self.servers.insert(id, server);
                self.schedule(at, Ev::Handshake(id, true));
            }
            Some(Listener::Refuse) | None => self.schedule(at, Ev::Handshake(id, false)),
            Some(Listener::Blackhole) => {}
        }
    }

    fn server_out(&mut self, id: u64, out: ServerOut) {
        let (latency, bandwidth, segment) = (self.net.latency, self.net.bandwidth, self.net.segment);
        // After what the server sent before: a stream's bytes keep their
        // order (an answer given while the last is still on the wire
        // queues behind it).
        let busy = self
            .sock_by_id(id)
            .map_or(Duration::ZERO, |(_, s)| s.rx_busy_until);
        let mut at = (self.now + out.think + latency).max(busy);
        for piece in out.bytes.chunks(segment.max(1)) {
            at += transmit(piece.len(), bandwidth);
            self.schedule(at, Ev::ToClient(id, piece.to_vec()));
        }
        if let Some((_, sock)) = self.sock_by_id(id) {
            sock.rx_busy_until = at;
        }
        if let Some(clean) = out.close {
            self.servers.remove(&id);
            self.schedule(at, Ev::ServerClosed(id, clean));
        } else if let (Some(after), Some(generation)) = (
            self.servers.get(&id).and_then(|s| s.idle_close()),
            self.servers.get(&id).and_then(|s| s.idle_generation()),
        ) {
            self.schedule(at + after, Ev::IdleClose(id, generation));
        }
    }
}

/// How long `n` bytes take on the wire at `bandwidth` bytes per second.
fn transmit(n: usize, bandwidth: u64) -> Duration {
    if bandwidth == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos((n as u64).saturating_mul(1_000_000_000) / bandwidth)
}
