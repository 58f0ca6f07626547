//! libcurl's URL API (`curl_url`, `curl_url_set`, `curl_url_get`, ...):
//! a URL parser and builder that answers as Debian's libcurl 7.88.1 does,
//! byte for byte, including its quirks (a host with `%` is stored escaped
//! once read as a URL, `file://(nil)` for a file URL without a path).
//!
//! It is a parser, not a transfer: it accepts every scheme that libcurl's
//! build knows (`schemes.rs`), not only the http and https Starling
//! fetches. Values are kept as bytes, since URLs may carry any byte but NUL.
//!
//! The pieces: `parse.rs` reads a whole URL, `host.rs` checks and
//! normalises host names and addresses, `encode.rs` and `dedot.rs` are the
//! percent-encoding and dot-segment rules, `relative.rs` resolves a
//! relative URL against the handle's, `get.rs` and `set.rs` are the part
//! operations and `ffi.rs` the C entry points.

mod dedot;
mod encode;
mod ffi;
mod get;
mod host;
mod idn;
mod parse;
pub(crate) mod redirect;
mod relative;
pub(crate) mod schemes;
mod set;

/// A `CURLUcode` other than `CURLUE_OK`, with libcurl's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub(crate) enum UrlError {
    /// A NULL handle.
    BadHandle = 1,
    /// A NULL place for the part read.
    BadPartPointer = 2,
    /// Input longer than libcurl accepts.
    MalformedInput = 3,
    /// A port that is no number from 0 (in URLs; 1 when set alone) to 65535.
    BadPortNumber = 4,
    /// A scheme libcurl does not know, without `CURLU_NON_SUPPORT_SCHEME`.
    UnsupportedScheme = 5,
    /// Decoding gave a control byte.
    UrlDecode = 6,
    /// An allocation failed (and, as in libcurl, a failed punycode conversion).
    OutOfMemory = 7,
    /// A login with `CURLU_DISALLOW_USER`.
    UserNotAllowed = 8,
    /// A part number libcurl does not have.
    UnknownPart = 9,
    /// The handle has no scheme.
    NoScheme = 10,
    /// The handle has no user.
    NoUser = 11,
    /// The handle has no password.
    NoPassword = 12,
    /// The handle has no login options.
    NoOptions = 13,
    /// The handle (or the URL) has no host.
    NoHost = 14,
    /// The handle has no port.
    NoPort = 15,
    /// The handle has no query.
    NoQuery = 16,
    /// The handle has no fragment.
    NoFragment = 17,
    /// The handle has no zone id.
    NoZoneId = 18,
    /// A file URL with a host other than localhost, or a drive letter.
    BadFileUrl = 19,
    /// A fragment with bytes libcurl refuses.
    BadFragment = 20,
    /// A host name with bytes libcurl refuses.
    BadHostname = 21,
    /// A bracketed host that is no IPv6 address.
    BadIpv6 = 22,
    /// Login options with bytes libcurl refuses.
    BadLogin = 23,
    /// A password with bytes libcurl refuses.
    BadPassword = 24,
    /// A path with bytes libcurl refuses.
    BadPath = 25,
    /// A query with bytes libcurl refuses.
    BadQuery = 26,
    /// No scheme where one is needed, or one too long.
    BadScheme = 27,
    /// No slash, or more than three, after the scheme.
    BadSlashes = 28,
    /// A user name with bytes libcurl refuses.
    BadUser = 29,
}

/// What the URL API's operations return.
pub(crate) type UrlResult<T> = Result<T, UrlError>;

/// The `CURLU_*` flags, as libcurl numbers them.
pub(crate) mod flags {
    /// Answer the scheme's default port when none is set.
    pub const DEFAULT_PORT: u32 = 1 << 0;
    /// Leave out a port that is the scheme's default.
    pub const NO_DEFAULT_PORT: u32 = 1 << 1;
    /// Take `https` for a URL without a scheme.
    pub const DEFAULT_SCHEME: u32 = 1 << 2;
    /// Accept schemes libcurl does not know.
    pub const NON_SUPPORT_SCHEME: u32 = 1 << 3;
    /// Keep `.` and `..` segments.
    pub const PATH_AS_IS: u32 = 1 << 4;
    /// Refuse a user name in a URL.
    pub const DISALLOW_USER: u32 = 1 << 5;
    /// Percent-decode what is read.
    pub const URL_DECODE: u32 = 1 << 6;
    /// Percent-encode what is set.
    pub const URL_ENCODE: u32 = 1 << 7;
    /// Append to the query instead of replacing it.
    pub const APPEND_QUERY: u32 = 1 << 8;
    /// Guess the scheme from the host name, as curl's tool does.
    pub const GUESS_SCHEME: u32 = 1 << 9;
    /// Allow an empty authority for schemes libcurl does not know.
    pub const NO_AUTHORITY: u32 = 1 << 10;
    /// Allow spaces in a URL.
    pub const ALLOW_SPACE: u32 = 1 << 11;
    /// Give host names in punycode.
    pub const PUNYCODE: u32 = 1 << 12;
}

/// A `CURLUPart`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    /// The whole URL.
    Url,
    /// `http`, `ftp`, ...
    Scheme,
    /// The user name of the login.
    User,
    /// The password of the login.
    Password,
    /// The login's `;options` (IMAP, POP3, SMTP).
    Options,
    /// The host name or bracketed IPv6 address.
    Host,
    /// The port, as text.
    Port,
    /// The path.
    Path,
    /// The query, without its `?`.
    Query,
    /// The fragment, without its `#`.
    Fragment,
    /// An IPv6 address's zone id.
    ZoneId,
}

impl Part {
    /// The part a C caller's number names, if any (the number comes from
    /// an enum but C lets any int through).
    pub(crate) fn from_raw(raw: i32) -> Option<Part> {
        const ALL: [Part; 11] = [
            Part::Url,
            Part::Scheme,
            Part::User,
            Part::Password,
            Part::Options,
            Part::Host,
            Part::Port,
            Part::Path,
            Part::Query,
            Part::Fragment,
            Part::ZoneId,
        ];
        usize::try_from(raw).ok().and_then(|i| ALL.get(i).copied())
    }
}

/// A `CURLU` handle's contents: each part as libcurl stores it (already
/// encoded or normalised as the setter left it), `None` when unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Url {
    /// The scheme, as parsed (lower case) or set (as given).
    pub(crate) scheme: Option<Vec<u8>>,
    /// The user name.
    pub(crate) user: Option<Vec<u8>>,
    /// The password.
    pub(crate) password: Option<Vec<u8>>,
    /// The login options.
    pub(crate) options: Option<Vec<u8>>,
    /// The host name, or an IPv6 address in brackets (without its zone).
    pub(crate) host: Option<Vec<u8>>,
    /// The zone id of an IPv6 address.
    pub(crate) zoneid: Option<Vec<u8>>,
    /// The port as text.
    pub(crate) port: Option<Vec<u8>>,
    /// The path (None: "/").
    pub(crate) path: Option<Vec<u8>>,
    /// The query (empty when the URL ended its path with a bare `?`).
    pub(crate) query: Option<Vec<u8>>,
    /// The fragment.
    pub(crate) fragment: Option<Vec<u8>>,
    /// The port as a number, for comparing with a scheme's default (the
    /// text in `port` is kept as it was set, "080" included).
    pub(crate) port_number: i64,
}

/// libcurl's limit on the length of any string given to it.
pub(crate) const MAX_INPUT_LENGTH: usize = 8_000_000;
