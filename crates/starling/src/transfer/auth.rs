//! Authentication in a transfer, as libcurl runs it: each request gets
//! the credentials its side's negotiation allows (the proxy's for a
//! request to a proxy, the server's for the first host only unless
//! unrestricted), a 401's or 407's challenges are read as its head
//! arrives, and a final response decides whether the request goes again
//! with the method picked. A POST whose method needs a challenge first
//! goes out as an empty probe.

use bytes::Bytes;
use http::Method;

use super::netrc::NetrcCredentials;
use super::state::Transfer;
use crate::auth::{AuthMethods, AuthSide, Credentials, UserPassword};
use crate::easy::{AuthOptions, AuthState, RequestBody};
use crate::error::Error;
use crate::http1::ResponseHead;
use crate::target::Target;

/// A transfer asks again at most this many times for one request: a
/// server that answers every answer with a fresh `stale=true` challenge
/// would otherwise keep it asking for ever.
const MAX_ROUNDS: u8 = 10;

/// The body of a probe: none, announced as `Content-Length: 0`.
static PROBE_BODY: Bytes = Bytes::new();

/// The credentials fields of one request, and libcurl's words for them.
#[derive(Debug, Default)]
pub(super) struct AuthFields {
    pub proxy: Option<String>,
    pub host: Option<String>,
    /// "Proxy auth using …", "Server auth using …", in that order.
    pub said: Vec<String>,
}

/// The server's credentials for a request to `target`: `.netrc`'s when it
/// decided, else the options', each replacing the URL's part.
fn host_credentials<'a>(
    options: &'a AuthOptions,
    target: &'a Target,
    netrc: Option<&'a NetrcCredentials>,
) -> Credentials<'a> {
    let bearer = options.bearer.as_deref();
    match netrc {
        Some(NetrcCredentials(c)) => Credentials {
            user: Some(&c.user),
            password: Some(&c.password),
            bearer,
        },
        None => {
            let url = target.credentials();
            Credentials {
                user: options.user.as_deref().or(url.map(|c| &*c.user)),
                password: options.password.as_deref().or(url.map(|c| &*c.password)),
                bearer,
            }
        }
    }
}

fn proxy_credentials(credentials: &UserPassword) -> Credentials<'_> {
    Credentials {
        user: Some(&credentials.user),
        password: Some(&credentials.password),
        bearer: None,
    }
}

impl Transfer {
    /// A transfer begins (libcurl's pretransfer): each side wants the
    /// methods set, a method picked by an earlier transfer kept if still
    /// wanted.
    pub(super) fn auth_begin(&mut self) -> Result<(), Error> {
        self.netrc_lookup()?;
        let extras = self.easy.inner.extras();
        let target = &self.route().target;
        let any = host_credentials(&extras.auth, target, self.netrc()).any()
            || self.route().proxy().is_some_and(|p| p.credentials.is_some());
        if !any && extras.auth_state.is_none() {
            return Ok(());
        }
        let options = &extras.auth;
        let host = (options.methods, options.ie_style);
        let proxy = (options.proxy_methods, options.proxy_ie_style);
        let state = self
            .easy
            .inner
            .extras_mut()
            .auth_state
            .get_or_insert_with(Box::default);
        state.host.begin(host.0, host.1);
        state.proxy.begin(proxy.0, proxy.1);
        Ok(())
    }

    /// The handle's negotiation state, taken out while a request or a
    /// response is worked on (the credentials it reads stay borrowed).
    fn take_auth_state(&mut self) -> Option<Box<AuthState>> {
        self.easy.inner.extras_mut_if_set()?.auth_state.take()
    }

    fn put_auth_state(&mut self, state: Box<AuthState>) {
        self.easy.inner.extras_mut().auth_state = Some(state);
    }

    /// Whether the server's credentials may go to the current request's
    /// host: the first host's (scheme, name and port), or any with
    /// unrestricted auth (libcurl's `Curl_auth_allowed_to_host`).
    fn auth_allowed_to_host(&self) -> bool {
        // Credentials `.netrc` gave for this host may go to it.
        self.netrc().is_some()
            || self.redirect().is_none()
            || self.easy.inner.extras().auth.unrestricted
            || self.easy.route().target.same_origin(&self.route().target)
    }

    /// The credentials fields of the request about to go out (libcurl's
    /// `Curl_http_output_auth`); notes whether it is a probe.
    pub(super) fn auth_fields(&mut self) -> AuthFields {
        let mut out = AuthFields::default();
        let Some(mut state) = self.take_auth_state() else {
            return out;
        };
        let allowed = self.auth_allowed_to_host();
        let route = self.route();
        let target = &route.target;
        let options = &self.easy.inner.extras().auth;
        let method = self.method().as_str();
        let uri = target.request_target();
        let headers = self.request_headers();
        // A request in absolute form carries the proxy's credentials; a
        // tunnel's CONNECT carried them.
        let proxy = route
            .proxy()
            .filter(|p| p.http_auth_applies(false))
            .and_then(|p| p.credentials.as_deref());
        let host = host_credentials(options, target, self.netrc());
        if host.any() || proxy.is_some() {
            match proxy {
                Some(credentials) => {
                    let creds = proxy_credentials(credentials);
                    let own = headers.contains_key("Proxy-Authorization");
                    let (name, value) = state.proxy.output(creds, own, method, uri);
                    if let Some(name) = name {
                        out.said.push(said("Proxy", name, creds.user));
                    }
                    out.proxy = value;
                }
                None => state.proxy.skip(),
            }
            if allowed {
                let own = headers.contains_key("Authorization");
                let (name, value) = state.host.output(host, own, method, uri);
                if let Some(name) = name {
                    out.said.push(said("Server", name, host.user));
                }
                out.host = value;
            } else {
                state.host.skip();
            }
        } else {
            state.host.skip();
            state.proxy.skip();
        }
        let probe = (state.host.pending() || state.proxy.pending())
            && !matches!(*self.method(), Method::GET | Method::HEAD)
            && !matches!(self.body(), RequestBody::None);
        self.put_auth_state(state);
        if probe || self.aside.is_some() {
            self.aside_mut().auth_probe = probe;
        }
        out
    }

    /// The Proxy-Authorization of a CONNECT to `authority`, with libcurl's
    /// words for it. As in libcurl, the server's side is worked out too
    /// (its words said, a Digest nonce counted) though the CONNECT does not
    /// carry it.
    pub(super) fn connect_auth(&mut self, authority: &str) -> AuthFields {
        let mut out = AuthFields::default();
        let Some(mut state) = self.take_auth_state() else {
            return out;
        };
        let allowed = self.auth_allowed_to_host();
        let route = self.route();
        let proxy = route.proxy().and_then(|p| p.credentials.as_deref());
        let host = host_credentials(&self.easy.inner.extras().auth, &route.target, self.netrc());
        if let Some(credentials) = proxy {
            let creds = proxy_credentials(credentials);
            let (name, value) = state.proxy.output(creds, false, "CONNECT", authority);
            if let Some(name) = name {
                out.said.push(said("Proxy", name, creds.user));
            }
            out.proxy = value;
        }
        if (proxy.is_some() || host.any()) && allowed {
            let own = self.request_headers().contains_key("Authorization");
            if let (Some(name), _) = state.host.output(host, own, "CONNECT", authority) {
                out.said.push(said("Server", name, host.user));
            }
        }
        self.put_auth_state(state);
        out
    }

    /// The body the current request sends: none while it probes.
    pub(super) fn probe_body(&self) -> Option<RequestBody<'static>> {
        self.aside
            .as_ref()
            .is_some_and(|a| a.auth_probe)
            .then_some(RequestBody::Bytes(&PROBE_BODY))
    }

    /// Reads a 401's (or 407's) challenges as its head arrives: the
    /// methods offered go into the info, a problem stops the negotiation.
    /// Returns libcurl's words, each with the ordinal of the challenge
    /// field it is said before.
    pub(super) fn auth_read(&mut self, head: &ResponseHead) -> Vec<(usize, &'static str)> {
        let (field, proxy) = match head.status.as_u16() {
            401 => ("www-authenticate", false),
            407 => ("proxy-authenticate", true),
            _ => return Vec::new(),
        };
        self.auth_read_values(proxy, head.headers.get_all(field))
    }

    /// [`Transfer::auth_read`] for the challenge fields' values of a 401
    /// (or, `proxy`, a 407).
    pub(super) fn auth_read_values<'v>(
        &mut self,
        proxy: bool,
        values: impl Iterator<Item = &'v [u8]>,
    ) -> Vec<(usize, &'static str)> {
        let mut state = self.take_auth_state();
        // Without credentials the offers are still read (for the info).
        let mut unused = AuthSide::default();
        let side = match state.as_deref_mut() {
            Some(AuthState { host, proxy: p }) => match proxy {
                true => p,
                false => host,
            },
            None => &mut unused,
        };
        let mut offered = AuthMethods::NONE;
        let mut words = Vec::new();
        let mut problem = false;
        for (i, value) in values.enumerate() {
            problem |= side.read_challenge(value, &mut offered, &mut |w| words.push((i, w)));
        }
        if let Some(state) = state {
            self.put_auth_state(state);
        }
        let info = &mut self.easy.inner.info;
        match proxy {
            true => info.proxy_auth_available = info.proxy_auth_available | offered,
            false => info.http_auth_available = info.http_auth_available | offered,
        }
        if problem {
            self.aside_mut().auth_problem = true;
        }
        words
    }

    /// Whether a final response sends the same request again with other
    /// credentials (libcurl's `Curl_http_auth_act`): a 401 (407) whose
    /// challenges offer a method wanted, or a probe the server took
    /// without asking for credentials. `connect`: the answer to a CONNECT,
    /// which only the proxy's credentials can answer.
    pub(super) fn auth_again(&mut self, status: u16, connect: bool) -> bool {
        let (problem, probe, rounds) = self.aside.as_ref().map_or((false, false, 0), |a| {
            (a.auth_problem, a.auth_probe, a.auth_rounds)
        });
        if status < 200 || problem || rounds >= MAX_ROUNDS {
            return false;
        }
        let Some(mut state) = self.take_auth_state() else {
            return false;
        };
        let route = self.route();
        let host =
            !connect && host_credentials(&self.easy.inner.extras().auth, &route.target, self.netrc()).any();
        let proxy = route
            .proxy()
            .is_some_and(|p| p.http_auth_applies(connect) && p.credentials.is_some());
        let probe = probe && !connect;
        let mut picked = false;
        let mut problem = false;
        if host && (status == 401 || (probe && status < 300)) {
            match state.host.pick() {
                true => picked = true,
                false => problem = true,
            }
        }
        if proxy && (status == 407 || (probe && status < 300)) {
            match state.proxy.pick() {
                true => picked = true,
                false => problem = true,
            }
        }
        let mut again = picked;
        if !picked && status < 300 && probe && !state.host.is_done() {
            // The server took the probe without asking: the request goes
            // again, with its body.
            state.host.skip();
            again = true;
        }
        self.put_auth_state(state);
        let aside = self.aside_mut();
        aside.auth_problem |= problem;
        aside.auth_rounds += u8::from(again);
        again
    }
}

/// libcurl's words for the credentials a request sends.
fn said(side: &str, method: &str, user: Option<&[u8]>) -> String {
    let user = String::from_utf8_lossy(user.unwrap_or_default());
    format!("{side} auth using {method} with user '{user}'")
}
