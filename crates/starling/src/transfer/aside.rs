//! The parts of a transfer only some transfers need (a redirect, a
//! pending next request, a decoder, data held for a paused handler, the
//! low-speed state), boxed together so that the others carry one pointer
//! for all of it.

use std::time::Instant;

use http::{Method, StatusCode};
use url::Url;

use crate::decode::Decoder;
use crate::http1::RequestHeaders;
use crate::target::Route;

/// The parts of a transfer only some transfers need.
#[derive(Default)]
pub(crate) struct Aside {
    /// Where the request goes after a redirect (`None`: the handle's URL).
    pub redirect: Option<Redirect>,
    /// What this response leads to instead of the end of the transfer; its
    /// body is then drained, not delivered.
    pub next: Option<NextRequest>,
    /// Decodes the body when the response is content-encoded and decoding
    /// is on.
    pub decoder: Option<Box<Decoder>>,
    /// Body data refused by a pausing handler, offered again on unpause.
    pub held: Option<Held>,
    /// The low-speed check's state (only with a low-speed limit).
    pub speed: Option<Speed>,
    /// The handle's socket hooks refused a socket: no other address is
    /// tried, the transfer fails as aborted by a callback.
    pub refused_by_hook: bool,
    /// The socket could not be bound where the options say (libcurl's
    /// message): no other address is tried.
    pub bind_failed: Option<Box<str>>,
    /// Speed limits' windows (only with a speed limit).
    pub limits: Option<Box<super::rate::Limits>>,
    /// The `Sec-WebSocket-Accept` a WebSocket handshake must be answered
    /// with.
    pub ws_accept: Option<Box<str>>,
    /// Authentication met a problem (credentials refused, a bad
    /// challenge): no more asking.
    pub auth_problem: bool,
    /// The request goes out as an empty probe for a challenge.
    pub auth_probe: bool,
    /// Times the transfer asked again for authentication.
    pub auth_rounds: u8,
    /// What `.netrc` gave for the current request's host.
    pub netrc: Option<Box<super::netrc::NetrcCredentials>>,
}

/// What a response leads to instead of the end of its transfer.
#[derive(Debug)]
pub(crate) enum NextRequest {
    /// A redirect to follow.
    Redirect { url: Url, status: StatusCode },
    /// The server answered 417 to `Expect: 100-continue`: the same request
    /// again without it.
    WithoutExpect,
    /// The same request again, with the credentials authentication picked.
    Authenticate,
}

/// The request of a transfer after redirects.
#[derive(Debug)]
pub(crate) struct Redirect {
    pub route: Route,
    pub method: Method,
    /// The body goes along (307, 308, or no method change).
    pub keep_body: bool,
    /// The handle's headers without credentials, when the request goes to
    /// another origin than the handle's URL (`None`: the handle's own).
    pub headers: Option<RequestHeaders>,
}

/// Body data a pausing handler did not take, offered again on unpause.
/// Copied only when a handler pauses, never on the way of a running
/// transfer.
#[derive(Debug, Default)]
pub(crate) struct Held {
    /// Decoded (or plain) bytes the handler refused.
    pub decoded: Vec<u8>,
    /// Encoded bytes the decoder had not read yet.
    pub raw: Vec<u8>,
}

/// The low-speed check's state: when the current window started and the
/// bytes moved by then; when the speed first fell below the limit.
#[derive(Debug)]
pub(crate) struct Speed {
    pub since: Instant,
    pub moved: u64,
    pub slow_since: Option<Instant>,
}

impl Speed {
    /// A window starting `now` with `moved` bytes moved so far.
    pub(crate) fn new(now: Instant, moved: u64) -> Speed {
        Speed {
            since: now,
            moved,
            slow_since: None,
        }
    }
}
