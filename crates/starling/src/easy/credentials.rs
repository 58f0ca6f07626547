//! A handle's credentials and the authentication methods it allows, for
//! the server and for the proxy, and the negotiation state libcurl keeps
//! from one of a handle's transfers to the next.

use std::path::PathBuf;

use crate::auth::{AuthMethods, AuthSide};

/// The credentials options of a handle.
#[derive(Debug, Clone)]
pub(crate) struct AuthOptions {
    /// Replaces the URL's user name (`CURLOPT_USERNAME`, `USERPWD`).
    pub user: Option<Box<[u8]>>,
    /// Replaces the URL's password.
    pub password: Option<Box<[u8]>>,
    /// `CURLOPT_XOAUTH2_BEARER`.
    pub bearer: Option<Box<str>>,
    /// `CURLOPT_HTTPAUTH`, as kept (see [`AuthMethods::as_set`]).
    pub methods: AuthMethods,
    pub ie_style: bool,
    /// The proxy's (`CURLOPT_PROXYUSERNAME`, ...), for a proxy string
    /// without credentials.
    pub proxy_user: Option<Box<[u8]>>,
    pub proxy_password: Option<Box<[u8]>>,
    /// `CURLOPT_PROXYAUTH`, as kept.
    pub proxy_methods: AuthMethods,
    pub proxy_ie_style: bool,
    /// Credentials follow redirects to other hosts
    /// (`CURLOPT_UNRESTRICTED_AUTH`).
    pub unrestricted: bool,
    /// `CURLOPT_NETRC` and `CURLOPT_NETRC_FILE`.
    pub netrc: NetrcMode,
    pub netrc_file: Option<PathBuf>,
}

/// Whether a transfer reads `.netrc` for its host's credentials
/// (libcurl's `CURLOPT_NETRC`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NetrcMode {
    /// Never (`CURL_NETRC_IGNORED`, the default).
    #[default]
    Ignored,
    /// When the URL gives no password for its user, or no user
    /// (`CURL_NETRC_OPTIONAL`).
    Optional,
    /// Only `.netrc`'s: the URL's credentials are not used
    /// (`CURL_NETRC_REQUIRED`).
    Required,
}

impl AuthOptions {
    /// libcurl's defaults: no credentials, Basic for both sides.
    pub(crate) const DEFAULT: AuthOptions = AuthOptions {
        user: None,
        password: None,
        bearer: None,
        methods: AuthMethods::BASIC,
        ie_style: false,
        proxy_user: None,
        proxy_password: None,
        proxy_methods: AuthMethods::BASIC,
        proxy_ie_style: false,
        unrestricted: false,
        netrc: NetrcMode::Ignored,
        netrc_file: None,
    };
}

/// Where each side's negotiation stands, kept between a handle's
/// transfers (libcurl keeps it in the handle: a Digest nonce is used
/// again by the next transfer).
#[derive(Debug, Clone, Default)]
pub(crate) struct AuthState {
    pub host: AuthSide,
    pub proxy: AuthSide,
}
