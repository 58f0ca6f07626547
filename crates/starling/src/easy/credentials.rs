//! A handle's credentials and the authentication methods it allows, for
//! the server and for the proxy, and the negotiation state libcurl keeps
//! from one of a handle's transfers to the next.

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
