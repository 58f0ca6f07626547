//! A SOCKS proxy (SOCKS4, SOCKS4a, SOCKS5 with RFC 1929 user name and
//! password, names or addresses), for tests of SOCKS transfers: it
//! records every byte a client sent during each handshake, then answers
//! as told: a connection to the target (on 127.0.0.1 only), a refusal
//! with a reply code, bytes that are no SOCKS at all, or nothing.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::runner::ServerCore;

/// How the proxy answers a handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocksReply {
    /// Connects to the target and carries the bytes both ways. With
    /// credentials, a SOCKS5 client must offer and send them (a SOCKS4
    /// one must name the user); targets other than 127.0.0.1 and
    /// `localhost` are refused as unreachable (the tests never leave the
    /// host).
    Serve {
        /// The user name and password a client must give, if any.
        credentials: Option<(String, String)>,
    },
    /// Reads the request and refuses it with this reply code (SOCKS4: 91
    /// and up; SOCKS5: 1 and up).
    Refuse(u8),
    /// Reads the first bytes of the handshake, then writes these and
    /// closes.
    Raw(Vec<u8>),
    /// Reads the first bytes of the handshake, then neither answers nor
    /// closes (until the client does).
    Stall,
}

/// See the module documentation. Dropping it stops it.
#[derive(Debug)]
pub struct SocksProxy {
    core: ServerCore,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SocksProxy {
    /// Starts a proxy on a kernel-chosen port of 127.0.0.1.
    pub fn start(reply: SocksReply) -> SocksProxy {
        let received: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let log = Arc::clone(&received);
        let reply = Arc::new(reply);
        let core = ServerCore::start("socks-proxy", move |stream, _counters| {
            serve(stream, Arc::clone(&log), Arc::clone(&reply))
        });
        SocksProxy { core, received }
    }

    /// The address the proxy listens on.
    pub fn addr(&self) -> SocketAddr {
        self.core.addr()
    }

    /// Every handshake's bytes as the client sent them, one entry per
    /// connection, in order.
    pub fn handshakes(&self) -> Vec<Vec<u8>> {
        self.received.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Connections accepted so far.
    pub fn connections_accepted(&self) -> usize {
        self.core
            .counters
            .accepted
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A client's handshake as read so far, logged as it grows.
struct Reader {
    stream: TcpStream,
    log: Arc<Mutex<Vec<Vec<u8>>>>,
    entry: usize,
}

impl Reader {
    async fn exact(&mut self, n: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; n];
        self.stream.read_exact(&mut buf).await.ok()?;
        self.log.lock().unwrap_or_else(|e| e.into_inner())[self.entry].extend_from_slice(&buf);
        Some(buf)
    }

    /// Bytes up to and without a NUL (at most 1 KiB).
    async fn until_nul(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let b = self.exact(1).await?[0];
            if b == 0 || out.len() > 1024 {
                return Some(out);
            }
            out.push(b);
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Option<()> {
        self.stream.write_all(bytes).await.ok()
    }
}

/// Where a request asked to go: 127.0.0.1 for the host's own names and
/// addresses, else nowhere.
fn local(host: &str, ip: Option<IpAddr>, port: u16) -> Option<SocketAddr> {
    let ok = matches!(host, "localhost" | "127.0.0.1") || ip.is_some_and(|ip| ip.is_loopback());
    ok.then(|| SocketAddr::from(([127, 0, 0, 1], port)))
}

async fn serve(stream: TcpStream, log: Arc<Mutex<Vec<Vec<u8>>>>, reply: Arc<SocksReply>) {
    let entry = {
        let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
        log.push(Vec::new());
        log.len() - 1
    };
    let mut r = Reader { stream, log, entry };
    let Some(version) = r.exact(1).await else {
        return;
    };
    match &*reply {
        SocksReply::Raw(bytes) => {
            let _ = r.write(bytes).await;
            return;
        }
        SocksReply::Stall => {
            let mut sink = [0u8; 1024];
            while matches!(r.stream.read(&mut sink).await, Ok(n) if n > 0) {}
            return;
        }
        _ => {}
    }
    let target = match version[0] {
        4 => socks4(&mut r, &reply).await,
        5 => socks5(&mut r, &reply).await,
        _ => None,
    };
    if let Some(target) = target {
        if let Ok(mut upstream) = TcpStream::connect(target).await {
            let _ = tokio::io::copy_bidirectional(&mut r.stream, &mut upstream).await;
        }
    }
}

/// The rest of a SOCKS4(a) request, and the answer; the target when
/// granted.
async fn socks4(r: &mut Reader, reply: &SocksReply) -> Option<SocketAddr> {
    let head = r.exact(7).await?;
    let port = u16::from_be_bytes([head[1], head[2]]);
    let ip = [head[3], head[4], head[5], head[6]];
    let user = r.until_nul().await?;
    let host = match ip {
        [0, 0, 0, x] if x != 0 => String::from_utf8_lossy(&r.until_nul().await?).into_owned(),
        _ => IpAddr::from(ip).to_string(),
    };
    let target = local(&host, host.parse().ok(), port);
    let code = match reply {
        SocksReply::Refuse(code) => *code,
        SocksReply::Serve {
            credentials: Some((u, _)),
        } if u.as_bytes() != user => 93,
        _ if target.is_none() => 91,
        _ => 90,
    };
    r.write(&[0, code, head[1], head[2], ip[0], ip[1], ip[2], ip[3]])
        .await?;
    target.filter(|_| code == 90)
}

/// The rest of a SOCKS5 handshake; the target when connected.
async fn socks5(r: &mut Reader, reply: &SocksReply) -> Option<SocketAddr> {
    let n = r.exact(1).await?[0] as usize;
    let methods = r.exact(n).await?;
    let wanted = match reply {
        SocksReply::Serve { credentials: Some(c) } => Some(c.clone()),
        _ => None,
    };
    let method = match (&wanted, methods.contains(&0), methods.contains(&2)) {
        (Some(_), _, true) => 2,
        (None, true, _) => 0,
        _ => 255,
    };
    r.write(&[5, method]).await?;
    if method == 255 {
        return None;
    }
    if let Some((user, password)) = wanted {
        let head = r.exact(2).await?;
        let given_user = r.exact(head[1] as usize).await?;
        let plen = r.exact(1).await?[0] as usize;
        let given_password = r.exact(plen).await?;
        let ok = given_user == user.as_bytes() && given_password == password.as_bytes();
        r.write(&[1, if ok { 0 } else { 1 }]).await?;
        if !ok {
            return None;
        }
    }
    let head = r.exact(4).await?;
    let (host, ip) = match head[3] {
        1 => {
            let a = r.exact(4).await?;
            let ip = IpAddr::from([a[0], a[1], a[2], a[3]]);
            (ip.to_string(), Some(ip))
        }
        4 => {
            let a: [u8; 16] = r.exact(16).await?.try_into().ok()?;
            let ip = IpAddr::from(a);
            (ip.to_string(), Some(ip))
        }
        3 => {
            let n = r.exact(1).await?[0] as usize;
            (String::from_utf8_lossy(&r.exact(n).await?).into_owned(), None)
        }
        _ => return None,
    };
    let port_bytes = r.exact(2).await?;
    let port = u16::from_be_bytes([port_bytes[0], port_bytes[1]]);
    let target = local(&host, ip, port);
    let code = match reply {
        SocksReply::Refuse(code) => *code,
        _ if target.is_none() => 4,
        _ => 0,
    };
    r.write(&[5, code, 0, 1, 127, 0, 0, 1, port_bytes[0], port_bytes[1]])
        .await?;
    target.filter(|_| code == 0)
}
