//! Following redirects (and repeating a request the server refused to
//! `Expect`), as curl does.

use std::time::Instant;

use http::{Method, StatusCode};

use super::aside::{NextRequest, Redirect, Speed};
use super::core::Core;
use super::state::{Transfer, TransferState};
use crate::easy::Schemes;
use crate::error::{Error, ErrorKind};
use crate::http1::ResponseHead;
use crate::ids::TransferId;
use crate::location::{follow, resolve_location};
use crate::target::{Route, Target};

impl Transfer {
    /// Where this response sends the transfer, when it redirects and
    /// redirects are followed.
    pub(crate) fn redirect_for(&self, head: &ResponseHead) -> Result<Option<NextRequest>, Error> {
        let inner = &self.easy.inner;
        let status = head.status;
        if !inner.extras().follow_location || !matches!(status.as_u16(), 300..=303 | 307 | 308) {
            return Ok(None);
        }
        let mut locations = head.headers.get_all("location");
        let Some(location) = locations.next() else {
            return Ok(None);
        };
        if locations.any(|other| other != location) {
            return Err(Error::new(
                ErrorKind::WeirdServerReply,
                "the redirect has several different Location headers",
            ));
        }
        if location.trim_ascii().is_empty() {
            // Nowhere to go: the redirect response is the answer (curl too).
            return Ok(None);
        }
        if inner.info.redirect_count >= inner.extras().max_redirects {
            return Err(Error::new(
                ErrorKind::TooManyRedirects,
                format!("Maximum ({}) redirects followed", inner.extras().max_redirects),
            ));
        }
        let url = resolve_location(&self.route().target, location)?;
        Ok(url.map(|url| NextRequest::Redirect { url, status }))
    }
}

impl Core {
    /// The response led elsewhere: the transfer starts over with its next
    /// request (its connection was already released or closed).
    pub(crate) fn start_next(&mut self, id: TransferId, now: Instant) {
        let t = &mut self.transfers[id.index as usize];
        let Some(next) = t.aside.as_mut().and_then(|a| a.next.take()) else {
            return;
        };
        if let Some(host) = t.host.take() {
            self.pool.release_host(host);
        }
        t.conn = None;
        t.stream = None;
        t.state = TransferState::Queued;
        // The next request and response count their bodies from zero (the
        // upload infos are the last request's, as libcurl's); so does the
        // speed check.
        let info = &mut t.easy.inner.info;
        info.body_bytes_received = 0;
        info.body_bytes_sent = 0;
        if let Some(speed) = t.aside.as_mut().and_then(|a| a.speed.as_mut()) {
            *speed = Speed::new(now, info.body_bytes_sent);
        }
        t.retries = 0;
        t.fresh_connection = false;
        let aside = t.aside_mut();
        aside.decoder = None;
        aside.held = None;
        match next {
            NextRequest::WithoutExpect => {
                t.no_expect = true;
                if t.easy.inner.traced() {
                    let url = t.route().target.url().as_str().to_owned();
                    t.easy.inner.trace_text(|| another_request(&url));
                }
            }
            NextRequest::Authenticate => {
                if t.easy.inner.traced() {
                    // libcurl names the URL with its credentials.
                    let url = t.route().target.url_with_credentials();
                    t.easy.inner.trace_text(|| another_request(&url));
                }
            }
            NextRequest::Redirect { url, status } => {
                let url = t.hsts_upgrade(&url).unwrap_or(url);
                let target = match Target::from_url(url) {
                    Ok(target) => target,
                    Err(e) => return self.finish_transfer(id, Err(e), now),
                };
                let before = t.method().clone();
                let redirect = match redirect(t, target, status) {
                    Ok(redirect) => redirect,
                    // A connect-to entry read as libcurl reads it may fail
                    // the request it applies to.
                    Err(e) => return self.finish_transfer(id, Err(e), now),
                };
                if t.easy.inner.traced() {
                    let url = redirect.route.target.url().as_str().to_owned();
                    t.easy.inner.trace_text(|| another_request(&url));
                    if redirect.method != before {
                        // libcurl's words for the method's change.
                        let text = match status.as_u16() {
                            303 => "Switch to GET",
                            _ => "Switch from POST to GET",
                        };
                        t.easy.inner.trace_text(|| text.to_owned());
                    }
                }
                let elapsed = t.elapsed(now);
                let info = &mut t.easy.inner.info;
                info.timings.redirect = elapsed;
                info.redirect_count += 1;
                info.redirect_url = Some(redirect.route.target.url().as_str().to_owned());
                // Counted and made the effective URL first, as libcurl does.
                let https = redirect.route.target.is_https();
                let extras = t.easy.inner.extras();
                if !(extras.protocols.allows(https) && extras.redirect_protocols.allows(https)) {
                    return self.finish_transfer(id, Err(Schemes::refuse(https)), now);
                }
                t.aside_mut().redirect = Some(redirect);
                // The new host's `.netrc` entry.
                if let Err(e) = t.netrc_lookup() {
                    return self.finish_transfer(id, Err(e), now);
                }
            }
        }
        if self.rewind_body(id, now) {
            self.ready.push_back(id);
        }
    }
}

/// libcurl's words for the request a transfer goes on with.
fn another_request(url: &str) -> String {
    format!("Issue another request to this URL: '{url}'")
}

/// The request that follows a `status` redirect to `target`.
fn redirect(t: &Transfer, target: Target, status: StatusCode) -> Result<Redirect, Error> {
    let (target, same_origin) = follow(&t.easy.route().target, target);
    let method = t.method();
    // curl's rules: 301 and 302 turn a POST into a GET, 303 turns every
    // method but HEAD into a GET; 300, 307 and 308 change nothing. A POST
    // kept (`keep_post`) stays a POST.
    let kept = *method == Method::POST && t.easy.inner.extras().keep_post.keeps(status.as_u16());
    let to_get = !kept
        && match status.as_u16() {
            301 | 302 => *method == Method::POST,
            303 => *method != Method::HEAD && *method != Method::GET,
            _ => false,
        };
    let keep_body = !to_get && t.redirect().is_none_or(|r| r.keep_body);
    let method = if to_get { Method::GET } else { method.clone() };
    // The handle's headers, minus what must not follow: the credentials
    // to another origin than the handle's, the body's description once the
    // body was dropped (a stale Content-Length would make the server wait,
    // a stale Expect would ask it to wait for a body that never comes).
    let headers = (!same_origin || !keep_body).then(|| {
        let mut headers = t.easy.inner.headers.clone();
        if !same_origin {
            // A custom Host names the first origin only (curl: the first
            // host's); sent elsewhere it would address the wrong site.
            for name in ["Authorization", "Cookie", "Proxy-Authorization", "Host"] {
                headers.remove(name);
            }
        }
        if !keep_body {
            for name in [
                "Content-Length",
                "Content-Type",
                "Content-Encoding",
                "Transfer-Encoding",
                "Expect",
            ] {
                headers.remove(name);
            }
        }
        headers
    });
    Ok(Redirect {
        route: Route::to(target, t.easy.route_options())?,
        method,
        keep_body,
        headers,
    })
}
