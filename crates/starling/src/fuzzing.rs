//! Entry points for the fuzz targets in the repository's `fuzz/` folder,
//! built only with the `fuzzing` feature: thin wrappers around pieces of
//! the engine that are private to the crate, so that the targets drive the
//! same code the engine runs. Not a stable interface.

use crate::connect_to::ConnectToList;
use crate::decode::{self, Codings, Decoder, Layer, SinkFlow};
use crate::error::Error;
use crate::location::{follow, resolve_location};
use crate::target::{Route, RouteOptions, Target};

pub use crate::http1::{ChunkedDecoder, Decoded};

/// The most bytes a body decoder hands its sink in one call.
pub const DECODED_PIECE: usize = decode::CHUNK;

/// A response body decoder, built as the engine builds it from the
/// response's `Transfer-Encoding` and `Content-Encoding` values.
pub struct BodyDecoder(Decoder);

impl BodyDecoder {
    /// The decoder for these header values (`None`: nothing to undo), or
    /// the engine's error for an unknown coding or too many.
    pub fn new(transfer_encoding: &[u8], content_encoding: &[u8]) -> Result<Option<BodyDecoder>, Error> {
        let transfer = Codings::parse(Layer::Transfer, std::iter::once(transfer_encoding))?;
        let content = Codings::parse(Layer::Content, std::iter::once(content_encoding))?;
        Ok(Decoder::new(&transfer, &content)?.map(BodyDecoder))
    }

    /// Feeds body bytes; `sink` returns true to stop. Returns the input
    /// bytes consumed and whether the sink stopped.
    pub fn feed(
        &mut self,
        input: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(usize, bool), Error> {
        let fed = self.0.feed(input, &mut |piece| flow(sink(piece)))?;
        Ok((fed.consumed, fed.stopped))
    }

    /// The body ended; true when the sink stopped (call again).
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8]) -> bool) -> Result<bool, Error> {
        self.0.finish(&mut |piece| flow(sink(piece)))
    }
}

fn flow(stop: bool) -> SinkFlow {
    if stop {
        SinkFlow::Stop
    } else {
        SinkFlow::Continue
    }
}

/// What the engine takes from a URL, as plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts {
    /// The URL without credentials.
    pub url: String,
    /// Host (IPv6 without brackets).
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
    /// The Host header value.
    pub authority: String,
    /// The request line's target.
    pub request_target: String,
    /// The connection pool key.
    pub pool_key: String,
    /// The Authorization value from the URL's credentials.
    pub auth: Option<String>,
    /// The scheme is https.
    pub https: bool,
    /// The URL with the scheme guessed for it, when it had none.
    pub guessed: Option<String>,
    /// Where the connection goes: host and port.
    pub connect: (String, u16),
}

impl UrlParts {
    fn of(route: &Route) -> UrlParts {
        let t = &route.target;
        UrlParts {
            url: t.url().as_str().to_owned(),
            host: t.host().to_owned(),
            port: t.port(),
            authority: t.authority().to_owned(),
            request_target: t.request_target().to_owned(),
            pool_key: t.pool_key().to_owned(),
            auth: t
                .credentials()
                .map(|c| crate::basic_credentials(&c.user, &c.password)),
            https: t.is_https(),
            guessed: t.guessed().map(str::to_owned),
            connect: (route.connect_host().to_owned(), route.connect_port()),
        }
    }
}

/// A handle's URL and connect-to entries, routed as a transfer routes them.
pub struct Handle {
    url: String,
    default_protocol: Option<String>,
    connect_to: ConnectToList,
}

impl Handle {
    /// A handle with this URL, default protocol and `CONNECT_TO` entries
    /// (`as_libcurl`: read as the C interface reads them).
    pub fn new(url: &str, default_protocol: Option<&str>, connect_to: &[&str], as_libcurl: bool) -> Handle {
        let connect_to = if as_libcurl {
            ConnectToList::parse_as_libcurl(connect_to)
        } else {
            ConnectToList::parse(connect_to)
        };
        Handle {
            url: url.to_owned(),
            default_protocol: default_protocol.map(str::to_owned),
            connect_to,
        }
    }

    fn options(&self) -> RouteOptions<'_> {
        RouteOptions {
            url: &self.url,
            default_protocol: self.default_protocol.as_deref(),
            connect_to: &self.connect_to,
            resolve: &[],
            unix_socket: false,
            alt_svc: None,
            proxy: &crate::proxy::OFF,
            noproxy: None,
            proxy_port: 0,
            proxy_tunnel: false,
            proxy_type: crate::ProxyKind::Http,
            pre_proxy: None,
            proxy_user: None,
            proxy_password: None,
        }
    }

    /// The route of the handle's URL.
    pub fn route(&self) -> Result<UrlParts, Error> {
        Ok(UrlParts::of(&Route::of(self.options())?))
    }

    /// Where a redirect with this `Location` value goes, resolved against
    /// the handle's URL with the steps of `transfer::redirect`
    /// (`redirect_for`, `start_next`, `redirect`): `Ok(None)` for an empty
    /// Location; else the new route and whether it has the same origin.
    pub fn redirect(&self, location: &[u8]) -> Result<Option<(UrlParts, bool)>, Error> {
        let first = Route::of(self.options())?.target;
        let Some(url) = resolve_location(&first, location)? else {
            return Ok(None);
        };
        let (target, same_origin) = follow(&first, Target::from_url(url)?);
        let route = Route::to(target, self.options())?;
        Ok(Some((UrlParts::of(&route), same_origin)))
    }
}

/// What feeding a server's bytes to an HTTP/2 client connection gave.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Http2Outcome {
    /// Events handed out (frames taken and stream ends).
    pub events: usize,
    /// Body bytes handed out, per stream in order.
    pub body: Vec<(u32, Vec<u8>)>,
    /// The connection error that ended it, as (code, reason).
    pub error: Option<(u32, &'static str)>,
    /// Bytes of input taken.
    pub taken: usize,
}

/// An HTTP/2 client connection with `streams` GETs open (and, if `body`,
/// a request body under flow control on the first), fed `pieces` as the
/// transport would read them. Panics if the machine breaks one of its own
/// rules: a body range outside the input, a piece never taken, more events
/// than the input can carry.
pub fn drive_http2(streams: u32, body: bool, pieces: &[&[u8]]) -> Http2Outcome {
    use crate::http2::connection::{Event, Http2, LocalSettings};
    let local = LocalSettings {
        stream_window: 1024,
        connection_window: 65_535,
        max_header_list: 16 * 1024,
        max_streams: 100,
    };
    let mut c = Http2::new(local);
    let fields: [(&[u8], &[u8]); 4] = [
        (b":method", b"GET"),
        (b":scheme", b"https"),
        (b":authority", b"fuzz"),
        (b":path", b"/"),
    ];
    for _ in 0..streams {
        c.open_stream(fields, !body);
    }
    let mut outcome = Http2Outcome::default();
    let mut buf = Vec::new();
    let total: usize = pieces.iter().map(|p| p.len()).sum();
    'pieces: for piece in pieces {
        buf.extend_from_slice(piece);
        let mut pos = 0;
        loop {
            if body {
                c.send_data(1, &[0; 300], false);
            }
            match c.poll(&buf[pos..]) {
                Ok(None) => break,
                Ok(Some((event, used))) => {
                    assert!(used <= buf.len() - pos, "took more than it was given");
                    outcome.events += 1;
                    assert!(
                        outcome.events <= total + streams as usize + 1,
                        "events without input"
                    );
                    if let Event::Data { stream, range } = event {
                        let bytes = buf[pos..]
                            .get(range.clone())
                            .expect("a body range inside the input");
                        outcome.body.push((stream, bytes.to_vec()));
                        c.consumed(stream, range.len());
                    }
                    pos += used;
                    outcome.taken += used;
                }
                Err(e) => {
                    outcome.error = Some((e.code.0, e.reason));
                    break 'pieces;
                }
            }
            let out = c.output().len();
            c.sent(out);
        }
        buf.drain(..pos);
    }
    outcome
}

/// Header fields as (name, value).
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// Decodes `block` with a fresh HPACK decoder and a list cap of
/// `max_list`: the fields handed out, or the error.
pub fn hpack_decode(block: &[u8], max_list: usize) -> Result<Fields, String> {
    let mut fields = Vec::new();
    let mut handed = 0usize;
    crate::http2::hpack::Decoder::new(4096)
        .decode(block, max_list, |n, v| {
            handed += n.len() + v.len() + 32;
            fields.push((n.to_vec(), v.to_vec()));
        })
        .map_err(|e| e.to_string())?;
    assert!(handed <= max_list, "fields handed out past the cap");
    Ok(fields)
}

/// Encodes `fields` as a request header block and decodes it back.
pub fn hpack_round_trip(fields: &[(&[u8], &[u8])]) -> Fields {
    let mut block = Vec::new();
    for (n, v) in fields {
        crate::http2::hpack::encode_field(n, v, &mut block);
    }
    hpack_decode(&block, usize::MAX).expect("our own block decodes")
}

/// Feeds `data` to the readers of what servers, proxies and files send
/// about credentials and cookies (Set-Cookie values, challenges and Digest
/// answers, `.netrc` files, SOCKS replies): none may panic, and the
/// Cookie field stays within libcurl's limit.
pub fn credentials_input(data: &[u8]) {
    crate::readers_input::feed(data);
}
