//! The SOCKS handshakes, sans-IO, as libcurl 7.88 speaks them: SOCKS4
//! (RFC-less, the address resolved locally), SOCKS4a (the proxy
//! resolves), SOCKS5 (RFC 1928; the address resolved locally) and
//! SOCKS5 with the name sent (`socks5h`), with RFC 1929's user name and
//! password. Each step is bytes to send and a number of bytes to read;
//! what fails names libcurl's `CURLproxycode`, which the transfer's info
//! keeps (`CURLINFO_PROXY_ERROR`).

use std::net::IpAddr;

/// The SOCKS dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SocksVersion {
    /// SOCKS4: an IPv4 address, resolved by the client.
    V4,
    /// SOCKS4a: the name, resolved by the proxy.
    V4a,
    /// SOCKS5: an address resolved by the client.
    V5,
    /// SOCKS5 with the name, resolved by the proxy (`socks5h://`).
    V5h,
}

/// libcurl's `CURLproxycode`s a SOCKS handshake can end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ProxyCode {
    BadAddressType = 1,
    BadVersion = 2,
    Closed = 3,
    Identd = 7,
    IdentdDiffer = 8,
    LongHostname = 9,
    LongPasswd = 10,
    LongUser = 11,
    NoAuth = 12,
    ReplyAddressTypeNotSupported = 17,
    ReplyCommandNotSupported = 18,
    ReplyConnectionRefused = 19,
    ReplyGeneralServerFailure = 20,
    ReplyHostUnreachable = 21,
    ReplyNetworkUnreachable = 22,
    ReplyNotAllowed = 23,
    ReplyTtlExpired = 24,
    ReplyUnassigned = 25,
    RequestFailed = 26,
    ResolveHost = 27,
    UnknownFail = 31,
    UserRejected = 33,
}

/// A handshake that failed: libcurl's code and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SocksError {
    pub code: ProxyCode,
    pub message: String,
}

fn fail(code: ProxyCode, message: impl Into<String>) -> SocksError {
    SocksError {
        code,
        message: message.into(),
    }
}

/// What the handshake does next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SocksNext {
    /// Send these bytes, then read an answer.
    Send(Vec<u8>),
    /// Look the origin's name up, then say [`SocksHandshake::resolved`]
    /// (libcurl looks it up only now, once the proxy is reached: SOCKS4
    /// before its request, SOCKS5 after the greeting).
    Resolve,
    /// The proxy connected: the socket now reaches the origin.
    Done,
}

/// Where a handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// SOCKS4(a): the request went out; 8 bytes come back.
    Request4,
    /// SOCKS5: the methods offered; 2 bytes come back.
    Greeting,
    /// SOCKS5: user name and password sent; 2 bytes come back.
    Auth,
    /// SOCKS5: the connect request went out; 10, 22 or 7 + n bytes back.
    Connect,
}

/// One SOCKS handshake: to `host` (or its resolved `ip`) and `port`.
#[derive(Debug, Clone)]
pub(crate) struct SocksHandshake {
    version: SocksVersion,
    host: Box<str>,
    ip: Option<IpAddr>,
    port: u16,
    user: Option<Box<[u8]>>,
    password: Box<[u8]>,
    step: Step,
    /// libcurl's words on the steps taken, not yet traced.
    said: Vec<String>,
}

impl SocksHandshake {
    /// A handshake through a `version` proxy to `host:port`, with the
    /// address already resolved when the client resolves, and the proxy's
    /// credentials.
    pub fn new(
        version: SocksVersion,
        host: &str,
        ip: Option<IpAddr>,
        port: u16,
        user: Option<&[u8]>,
        password: Option<&[u8]>,
    ) -> SocksHandshake {
        SocksHandshake {
            version,
            host: host.into(),
            ip,
            port,
            user: user.map(Into::into),
            password: password.unwrap_or_default().into(),
            step: match version {
                SocksVersion::V4 | SocksVersion::V4a => Step::Request4,
                SocksVersion::V5 | SocksVersion::V5h => Step::Greeting,
            },
            said: Vec::new(),
        }
    }

    /// The first step.
    pub fn start(&mut self) -> Result<SocksNext, SocksError> {
        match self.step {
            Step::Request4 => {
                self.said
                    .push(format!("SOCKS4 communication to {}:{}", self.host, self.port));
                match (self.version, self.ip) {
                    (SocksVersion::V4, None) => Ok(SocksNext::Resolve),
                    _ => self.request4().map(SocksNext::Send),
                }
            }
            _ => Ok(SocksNext::Send(self.greeting())),
        }
    }

    /// The origin's name looked up (`None`: it could not be): the step
    /// that waited for it.
    pub fn resolved(&mut self, ips: Option<&[IpAddr]>) -> Result<SocksNext, SocksError> {
        let v4 = self.version == SocksVersion::V4;
        // SOCKS4 carries IPv4 only: its first IPv4 address, or the first
        // of any kind, which the request then refuses.
        self.ip = ips.and_then(|ips| {
            ips.iter()
                .copied()
                .find(|ip| !v4 || ip.is_ipv4())
                .or(ips.first().copied())
        });
        if self.ip.is_none() {
            // libcurl's resolver's words.
            return Err(fail(
                ProxyCode::ResolveHost,
                format!("Could not resolve host: {}", self.host),
            ));
        }
        match self.step {
            Step::Request4 => self.request4().map(SocksNext::Send),
            _ => self.connect5().map(SocksNext::Send),
        }
    }

    /// libcurl's words on the steps taken since last asked.
    pub fn take_said(&mut self) -> Vec<String> {
        std::mem::take(&mut self.said)
    }

    /// How many answer bytes the current step needs, given those that
    /// arrived (a SOCKS5 connect reply's length shows in its fifth byte).
    pub fn needed(&self, answer: &[u8]) -> usize {
        match self.step {
            Step::Request4 => 8,
            Step::Greeting | Step::Auth => 2,
            Step::Connect => match (answer.get(3), answer.get(4)) {
                (Some(1), _) => 10,
                (Some(4), _) => 22,
                (Some(3), Some(&len)) => 7 + len as usize,
                (Some(3), None) => 5,
                // Unknown: judged once the type is there.
                _ => 4,
            },
        }
    }

    /// The current step's whole answer (`needed` bytes): the next bytes
    /// to send, or the end.
    pub fn answered(&mut self, answer: &[u8]) -> Result<SocksNext, SocksError> {
        match self.step {
            Step::Request4 => {
                self.reply4(answer)?;
                let name = match self.version {
                    SocksVersion::V4a => "SOCKS4a",
                    _ => "SOCKS4",
                };
                self.said.push(format!("{name} request granted."));
                Ok(SocksNext::Done)
            }
            Step::Greeting => self.method_chosen(answer),
            Step::Auth => {
                if answer[1] != 0 {
                    return Err(fail(
                        ProxyCode::UserRejected,
                        format!(
                            "User was rejected by the SOCKS5 server ({} {}).",
                            answer[0], answer[1]
                        ),
                    ));
                }
                self.after_greeting()
            }
            Step::Connect => {
                self.reply5(answer)?;
                self.said.push("SOCKS5 request granted.".into());
                Ok(SocksNext::Done)
            }
        }
    }

    fn request4(&mut self) -> Result<Vec<u8>, SocksError> {
        let mut out = vec![4, 1];
        out.extend_from_slice(&self.port.to_be_bytes());
        match (self.version, self.ip) {
            (SocksVersion::V4, Some(IpAddr::V4(ip))) => {
                self.said
                    .push(format!("SOCKS4 connect to IPv4 {ip} (locally resolved)"));
                out.extend_from_slice(&ip.octets());
            }
            (SocksVersion::V4, _) => {
                return Err(fail(
                    ProxyCode::ResolveHost,
                    format!("SOCKS4 connection to {} not supported", self.host),
                ))
            }
            // SOCKS4a: an address that cannot be one, then the name.
            _ => out.extend_from_slice(&[0, 0, 0, 1]),
        }
        let user = self.user.as_deref().unwrap_or_default();
        if user.len() > 255 {
            return Err(fail(ProxyCode::LongUser, "Too long SOCKS proxy user name"));
        }
        out.extend_from_slice(user);
        out.push(0);
        if self.version == SocksVersion::V4a {
            if self.host.len() > 255 {
                return Err(fail(ProxyCode::LongHostname, "SOCKS4: too long host name"));
            }
            out.extend_from_slice(self.host.as_bytes());
            out.push(0);
        }
        Ok(out)
    }

    fn reply4(&self, answer: &[u8]) -> Result<(), SocksError> {
        if answer[0] != 0 {
            return Err(fail(
                ProxyCode::BadVersion,
                "SOCKS4 reply has wrong version, version should be 0.",
            ));
        }
        let to = format!(
            "{}.{}.{}.{}:{}",
            answer[4],
            answer[5],
            answer[6],
            answer[7],
            u16::from_be_bytes([answer[2], answer[3]])
        );
        let (code, why) = match answer[1] {
            90 => return Ok(()),
            91 => (ProxyCode::RequestFailed, "request rejected or failed."),
            92 => (
                ProxyCode::Identd,
                "request rejected because SOCKS server cannot connect to identd on the client.",
            ),
            93 => (
                ProxyCode::IdentdDiffer,
                "request rejected because the client program and identd report different user-ids.",
            ),
            _ => (ProxyCode::UnknownFail, "Unknown."),
        };
        Err(fail(
            code,
            format!("Can't complete SOCKS4 connection to {to}. ({}), {why}", answer[1]),
        ))
    }

    fn greeting(&self) -> Vec<u8> {
        // No authentication, and user name and password when there is a
        // user (no GSS-API: not built in).
        match self.user {
            Some(_) => vec![5, 2, 0, 2],
            None => vec![5, 1, 0],
        }
    }

    fn method_chosen(&mut self, answer: &[u8]) -> Result<SocksNext, SocksError> {
        if answer[0] != 5 {
            return Err(fail(
                ProxyCode::BadVersion,
                "Received invalid version in initial SOCKS5 response.",
            ));
        }
        match answer[1] {
            0 => self.after_greeting(),
            2 if self.user.is_some() => {
                let user = self.user.as_deref().unwrap_or_default();
                if user.len() > 255 {
                    return Err(fail(ProxyCode::LongUser, "Excessive user name length for proxy auth"));
                }
                if self.password.len() > 255 {
                    return Err(fail(ProxyCode::LongPasswd, "Excessive password length for proxy auth"));
                }
                let mut out = vec![1, user.len() as u8];
                out.extend_from_slice(user);
                out.push(self.password.len() as u8);
                out.extend_from_slice(&self.password);
                self.step = Step::Auth;
                Ok(SocksNext::Send(out))
            }
            2 => Err(fail(
                ProxyCode::NoAuth,
                "No authentication method was acceptable. (It is quite likely that the SOCKS5 server wanted a username/password, since none was supplied to the server on this connection.)",
            )),
            255 => Err(fail(ProxyCode::NoAuth, "No authentication method was acceptable.")),
            other => Err(fail(
                ProxyCode::NoAuth,
                format!("Undocumented SOCKS5 mode attempted to be used by server ({other})."),
            )),
        }
    }

    /// SOCKS5 after the method (and the credentials): the connect
    /// request, once the address is known when the client resolves.
    fn after_greeting(&mut self) -> Result<SocksNext, SocksError> {
        self.step = Step::Connect;
        match (self.version, self.ip) {
            (SocksVersion::V5, None) => Ok(SocksNext::Resolve),
            _ => self.connect5().map(SocksNext::Send),
        }
    }

    fn connect5(&mut self) -> Result<Vec<u8>, SocksError> {
        let mut out = vec![5, 1, 0];
        match (self.version, self.ip) {
            (SocksVersion::V5, Some(IpAddr::V4(ip))) => {
                self.said.push(format!(
                    "SOCKS5 connect to IPv4 {ip}:{} (locally resolved)",
                    self.port
                ));
                out.push(1);
                out.extend_from_slice(&ip.octets());
            }
            (SocksVersion::V5, Some(IpAddr::V6(ip))) => {
                self.said.push(format!(
                    "SOCKS5 connect to IPv6 [{ip}]:{} (locally resolved)",
                    self.port
                ));
                out.push(4);
                out.extend_from_slice(&ip.octets());
            }
            _ if self.version == SocksVersion::V5 => {
                return Err(fail(
                    ProxyCode::ResolveHost,
                    format!("Failed to resolve \"{}\" for SOCKS5 connect.", self.host),
                ))
            }
            // A name that is an address goes as one, though the proxy
            // resolves (libcurl's words still say so).
            _ if self.host.parse::<IpAddr>().is_ok() => {
                self.said.push(format!(
                    "SOCKS5 connect to {}:{} (remotely resolved)",
                    self.host, self.port
                ));
                match self.host.parse::<IpAddr>() {
                    Ok(IpAddr::V4(ip)) => {
                        out.push(1);
                        out.extend_from_slice(&ip.octets());
                    }
                    Ok(IpAddr::V6(ip)) => {
                        out.push(4);
                        out.extend_from_slice(&ip.octets());
                    }
                    Err(_) => {}
                }
            }
            _ => {
                if self.host.len() > 255 {
                    return Err(fail(
                        ProxyCode::LongHostname,
                        "SOCKS5: the destination hostname is too long to be resolved remotely by the proxy.",
                    ));
                }
                self.said.push(format!(
                    "SOCKS5 connect to {}:{} (remotely resolved)",
                    self.host, self.port
                ));
                out.push(3);
                out.push(self.host.len() as u8);
                out.extend_from_slice(self.host.as_bytes());
            }
        }
        out.extend_from_slice(&self.port.to_be_bytes());
        self.step = Step::Connect;
        Ok(out)
    }

    fn reply5(&self, answer: &[u8]) -> Result<(), SocksError> {
        if answer[0] != 5 {
            return Err(fail(
                ProxyCode::BadVersion,
                "SOCKS5 reply has wrong version, version should be 5.",
            ));
        }
        if !matches!(answer[3], 1 | 3 | 4) {
            return Err(fail(
                ProxyCode::BadAddressType,
                "SOCKS5 reply has wrong address type.",
            ));
        }
        let code = match answer[1] {
            0 => return Ok(()),
            1 => ProxyCode::ReplyGeneralServerFailure,
            2 => ProxyCode::ReplyNotAllowed,
            3 => ProxyCode::ReplyNetworkUnreachable,
            4 => ProxyCode::ReplyHostUnreachable,
            5 => ProxyCode::ReplyConnectionRefused,
            6 => ProxyCode::ReplyTtlExpired,
            7 => ProxyCode::ReplyCommandNotSupported,
            8 => ProxyCode::ReplyAddressTypeNotSupported,
            _ => ProxyCode::ReplyUnassigned,
        };
        let to = match self.version {
            SocksVersion::V5 => self.ip.map_or_else(|| self.host.to_string(), |ip| ip.to_string()),
            _ => self.host.to_string(),
        };
        Err(fail(
            code,
            format!("Can't complete SOCKS5 connection to {to}. ({})", answer[1]),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LOCAL: Option<IpAddr> = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));

    #[test]
    fn socks4_asks_for_the_address_and_reads_the_grant() {
        let mut h = SocksHandshake::new(SocksVersion::V4, "h", LOCAL, 80, Some(b"me"), None);
        assert_eq!(
            h.start(),
            Ok(SocksNext::Send(vec![4, 1, 0, 80, 127, 0, 0, 1, b'm', b'e', 0]))
        );
        assert_eq!(
            h.take_said(),
            [
                "SOCKS4 communication to h:80",
                "SOCKS4 connect to IPv4 127.0.0.1 (locally resolved)"
            ]
        );
        assert_eq!(h.needed(&[]), 8);
        assert_eq!(h.answered(&[0, 90, 0, 0, 0, 0, 0, 0]), Ok(SocksNext::Done));
        let e = h.answered(&[0, 91, 0, 80, 1, 2, 3, 4]).unwrap_err();
        assert_eq!(e.code, ProxyCode::RequestFailed);
        assert_eq!(
            e.message,
            "Can't complete SOCKS4 connection to 1.2.3.4:80. (91), request rejected or failed."
        );
        assert_eq!(
            h.answered(&[4, 90, 0, 0, 0, 0, 0, 0]).unwrap_err().code,
            ProxyCode::BadVersion
        );
    }

    #[test]
    fn socks4a_sends_the_name() {
        let mut h = SocksHandshake::new(SocksVersion::V4a, "example.com", None, 443, None, None);
        let mut expected = vec![4, 1, 1, 187, 0, 0, 0, 1, 0];
        expected.extend_from_slice(b"example.com\0");
        assert_eq!(h.start(), Ok(SocksNext::Send(expected)));
    }

    #[test]
    fn socks5_with_a_user_and_a_name() {
        let mut h = SocksHandshake::new(SocksVersion::V5h, "ex.com", None, 8080, Some(b"u"), Some(b"pw"));
        assert_eq!(h.start(), Ok(SocksNext::Send(vec![5, 2, 0, 2])));
        assert_eq!(
            h.answered(&[5, 2]),
            Ok(SocksNext::Send(vec![1, 1, b'u', 2, b'p', b'w']))
        );
        let connect = [&[5, 1, 0, 3, 6][..], b"ex.com", &[0x1f, 0x90]].concat();
        assert_eq!(h.answered(&[1, 0]), Ok(SocksNext::Send(connect)));
        // The reply's length follows its address type.
        assert_eq!(h.needed(&[5, 0, 0]), 4);
        assert_eq!(h.needed(&[5, 0, 0, 1]), 10);
        assert_eq!(h.needed(&[5, 0, 0, 4]), 22);
        assert_eq!(h.needed(&[5, 0, 0, 3]), 5);
        assert_eq!(h.needed(&[5, 0, 0, 3, 9]), 16);
        assert_eq!(h.answered(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Ok(SocksNext::Done));
        let e = h.answered(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ProxyCode::ReplyConnectionRefused,
                "Can't complete SOCKS5 connection to ex.com. (5)"
            )
        );
    }

    #[test]
    fn the_origin_is_looked_up_when_the_handshake_needs_it() {
        let v6: IpAddr = "::1".parse().unwrap();
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        // SOCKS4: before its request, its first IPv4 address.
        let mut h = SocksHandshake::new(SocksVersion::V4, "h", None, 80, None, None);
        assert_eq!(h.start(), Ok(SocksNext::Resolve));
        assert_eq!(
            h.resolved(Some(&[v6, v4])),
            Ok(SocksNext::Send(vec![4, 1, 0, 80, 127, 0, 0, 1, 0]))
        );
        // Only IPv6: SOCKS4 cannot carry it.
        let mut h = SocksHandshake::new(SocksVersion::V4, "h", None, 80, None, None);
        h.start().unwrap();
        assert_eq!(h.resolved(Some(&[v6])).unwrap_err().code, ProxyCode::ResolveHost);
        // SOCKS5: after the greeting.
        let mut h = SocksHandshake::new(SocksVersion::V5, "h", None, 80, None, None);
        assert_eq!(h.start(), Ok(SocksNext::Send(vec![5, 1, 0])));
        assert_eq!(h.answered(&[5, 0]), Ok(SocksNext::Resolve));
        let mut connect = vec![5, 1, 0, 4];
        connect.extend_from_slice(&[0; 15]);
        connect.extend_from_slice(&[1, 0, 80]);
        assert_eq!(h.resolved(Some(&[v6])), Ok(SocksNext::Send(connect)));
        let mut h = SocksHandshake::new(SocksVersion::V5, "nowhere", None, 80, None, None);
        h.start().unwrap();
        h.answered(&[5, 0]).unwrap();
        let e = h.resolved(None).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ProxyCode::ResolveHost, "Could not resolve host: nowhere")
        );
    }

    #[test]
    fn socks5_refusals() {
        let mut h = SocksHandshake::new(SocksVersion::V5, "h", LOCAL, 80, None, None);
        assert_eq!(h.start(), Ok(SocksNext::Send(vec![5, 1, 0])));
        assert_eq!(h.answered(&[5, 255]).unwrap_err().code, ProxyCode::NoAuth);
        assert_eq!(h.answered(&[5, 2]).unwrap_err().code, ProxyCode::NoAuth);
        assert_eq!(h.answered(&[4, 0]).unwrap_err().code, ProxyCode::BadVersion);
        assert_eq!(
            h.answered(&[5, 0]),
            Ok(SocksNext::Send(vec![5, 1, 0, 1, 127, 0, 0, 1, 0, 80]))
        );
        assert_eq!(
            h.answered(&[5, 0, 0, 9]).unwrap_err().code,
            ProxyCode::BadAddressType
        );
        let mut h = SocksHandshake::new(SocksVersion::V5h, "u", None, 1, Some(b"x"), None);
        h.start().unwrap();
        h.answered(&[5, 2]).unwrap();
        assert_eq!(h.answered(&[1, 1]).unwrap_err().code, ProxyCode::UserRejected);
        // A name longer than SOCKS can carry.
        let long = "a".repeat(256);
        let mut h = SocksHandshake::new(SocksVersion::V5h, &long, None, 1, None, None);
        assert_eq!(h.answered(&[5, 0]).unwrap_err().code, ProxyCode::LongHostname);
    }
}
