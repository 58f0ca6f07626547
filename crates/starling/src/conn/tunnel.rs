//! A tunnel being set up through a proxy: a CONNECT through an HTTP proxy
//! (RFC 9110, section 9.3.6), the request as libcurl 7.88 writes it, or a
//! SOCKS handshake; how much of the current request went out, and the
//! proxy's answer as it arrives. Once the proxy agrees the socket carries
//! the origin's bytes unchanged: the tunnel needs no layer in the
//! transport.

use crate::http1::RequestHeaders;
use crate::proxy::SocksHandshake;

/// The longest answer head a proxy may send (libcurl's limit for a head).
pub(crate) const MAX_ANSWER: usize = 100 * 1024;

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct Tunnel {
    pub request: Vec<u8>,
    pub sent: usize,
    pub answer: Vec<u8>,
    /// Bytes of the last answer's body still to read and drop before
    /// this answer (a CONNECT asked again on the same connection).
    pub discard: u64,
    /// The SOCKS handshake this is, rather than a CONNECT.
    pub socks: Option<Box<SocksHandshake>>,
    /// The handshake waits for the origin's name to be looked up.
    pub resolving: bool,
}

impl Tunnel {
    /// The CONNECT request for `authority` (`host:port`, IPv6 in
    /// brackets), with the proxy's credentials, the application's
    /// User-Agent when it set one, and the fields for the proxy (`custom`),
    /// in libcurl's order: a custom field of the name replaces (or, empty,
    /// removes) `Host`, `User-Agent` and `Proxy-Connection`.
    pub fn new(
        authority: &str,
        proxy_auth: Option<&str>,
        user_agent: Option<&[u8]>,
        custom: &RequestHeaders,
    ) -> Tunnel {
        let mut request = Vec::with_capacity(128);
        let mut field = |name: &str, value: &[u8]| {
            if !custom.contains_key(name) {
                request.extend_from_slice(name.as_bytes());
                request.extend_from_slice(b": ");
                request.extend_from_slice(value);
                request.extend_from_slice(b"\r\n");
            }
        };
        let mut start = Vec::with_capacity(128);
        start.extend_from_slice(b"CONNECT ");
        start.extend_from_slice(authority.as_bytes());
        start.extend_from_slice(b" HTTP/1.1\r\n");
        field("Host", authority.as_bytes());
        if let Some(auth) = proxy_auth {
            field("Proxy-Authorization", auth.as_bytes());
        }
        if let Some(agent) = user_agent {
            field("User-Agent", agent);
        }
        field("Proxy-Connection", b"Keep-Alive");
        custom.write_lines(&mut request);
        request.extend_from_slice(b"\r\n");
        start.extend_from_slice(&request);
        let request = start;
        Tunnel {
            request,
            sent: 0,
            answer: Vec::new(),
            discard: 0,
            socks: None,
            resolving: false,
        }
    }

    /// A SOCKS handshake whose first bytes are `request`.
    pub fn socks(handshake: SocksHandshake, request: Vec<u8>) -> Tunnel {
        Tunnel {
            request,
            sent: 0,
            answer: Vec::new(),
            discard: 0,
            socks: Some(Box::new(handshake)),
            resolving: false,
        }
    }

    /// The answer is whole: a CONNECT's head, or a SOCKS step's bytes.
    pub fn answered(&self) -> bool {
        match &self.socks {
            Some(s) => self.answer.len() >= s.needed(&self.answer),
            None => self.head_len().is_some(),
        }
    }

    /// How many bytes to read at most: a SOCKS step's rest exactly (what
    /// follows is the origin's), a CONNECT's head in pieces of `buf`.
    pub fn to_read(&self, buf: usize) -> usize {
        match &self.socks {
            Some(s) if self.discard == 0 => s.needed(&self.answer).saturating_sub(self.answer.len()).min(buf),
            _ => buf,
        }
    }

    /// Whether the whole request went out.
    pub fn sent_all(&self) -> bool {
        self.sent == self.request.len()
    }

    /// The length of the answer head, once it is whole.
    pub fn head_len(&self) -> Option<usize> {
        self.answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|at| at + 4)
    }

    /// The values of the answer head's fields named `name`.
    pub fn fields<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        let head = &self.answer[..self.head_len().unwrap_or(0)];
        crate::http1::lines(head).skip(1).filter_map(move |line| {
            let colon = line.iter().position(|&b| b == b':')?;
            line[..colon]
                .eq_ignore_ascii_case(name.as_bytes())
                .then(|| line[colon + 1..].trim_ascii())
        })
    }

    /// The answer body's length, when a Content-Length gives it and no
    /// chunked coding or close is announced (a body the connection can be
    /// reused after).
    pub fn body_length(&self) -> Option<u64> {
        let closes = |v: &[u8]| v.eq_ignore_ascii_case(b"close");
        if self.fields("transfer-encoding").next().is_some()
            || self.fields("connection").any(closes)
            || self.fields("proxy-connection").any(closes)
            || self.answer.starts_with(b"HTTP/1.0")
        {
            return None;
        }
        let mut lengths = self.fields("content-length");
        let first: u64 = std::str::from_utf8(lengths.next().unwrap_or(b"0"))
            .ok()?
            .parse()
            .ok()?;
        lengths
            .all(|other| other == first.to_string().as_bytes())
            .then_some(first)
    }

    /// The answer's status code (`HTTP/1.x NNN ...`), if the head reads
    /// as one.
    pub fn status(&self) -> Option<u16> {
        let line = self.answer.split(|&b| b == b'\r').next()?;
        let rest = line.strip_prefix(b"HTTP/1.")?;
        let code = rest.get(2..5)?;
        if rest.get(1) != Some(&b' ') || !code.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(code).ok()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_libcurls() {
        let t = Tunnel::new(
            "example.test:443",
            Some("Basic dTpw"),
            Some(b"ua/1"),
            &RequestHeaders::EMPTY,
        );
        assert_eq!(
            t.request,
            b"CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\
              Proxy-Authorization: Basic dTpw\r\nUser-Agent: ua/1\r\n\
              Proxy-Connection: Keep-Alive\r\n\r\n"
        );
        let t = Tunnel::new("[::1]:8443", None, None, &RequestHeaders::EMPTY);
        assert!(t
            .request
            .starts_with(b"CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Connection"));
    }

    #[test]
    fn the_answer_head_and_its_status() {
        let mut t = Tunnel::new("h:1", None, None, &RequestHeaders::EMPTY);
        t.answer
            .extend_from_slice(b"HTTP/1.1 200 Connection established\r\n");
        assert_eq!((t.head_len(), t.status()), (None, Some(200)));
        t.answer.extend_from_slice(b"\r\n");
        assert_eq!(t.head_len(), Some(39));
        for bad in [
            &b"HTTP/2 200 x\r\n"[..],
            b"HTTP/1.1 20\r\n",
            b"garbage\r\n",
            b"HTTP/1.1 2x0\r\n",
        ] {
            t.answer = bad.to_vec();
            assert_eq!(t.status(), None, "{bad:?}");
        }
    }
}
