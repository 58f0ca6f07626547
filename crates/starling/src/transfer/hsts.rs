//! HSTS in a transfer's life (`Easy::hsts`): an `http://` URL of a host
//! the cache knows goes over `https://` instead, the first request's and
//! each redirect's, and a `Strict-Transport-Security` field of a response
//! over HTTPS is learnt, as libcurl does.

use url::Url;

use super::state::Transfer;
use crate::error::Error;
use crate::hsts::wall_now;
use crate::http1::ResponseHeaders;
use crate::target::{Route, Target};

impl Transfer {
    /// The `https://` form of `url` when the handle's HSTS cache says its
    /// host must be reached so (traced in libcurl's words).
    pub(super) fn hsts_upgrade(&mut self, url: &Url) -> Option<Url> {
        let hsts = self.easy.inner.extras().hsts.as_ref()?;
        let host = url.host_str()?;
        if url.scheme() != "http" {
            return None;
        }
        let applies = hsts.0.lock().is_ok_and(|mut h| h.applies(host, wall_now()));
        if !applies {
            return None;
        }
        let mut https = url.clone();
        https.set_scheme("https").ok()?;
        let shown = https.as_str().to_owned();
        self.easy
            .inner
            .trace_text(|| format!("Switched from HTTP to HTTPS due to HSTS => {shown}"));
        Some(https)
    }

    /// The first request's route, over `https://` when HSTS says so.
    pub(super) fn hsts_route(&mut self) -> Result<(), Error> {
        if self.easy.inner.extras().hsts.is_none() {
            return Ok(());
        }
        let url = self.route().target.url().clone();
        let Some(https) = self.hsts_upgrade(&url) else {
            return Ok(());
        };
        let mut target = Target::from_url(https.clone())?;
        target.set_guessed(https.as_str());
        let route = Route::to(target, self.easy.route_options())?;
        self.easy.inner.route = Some(route);
        Ok(())
    }

    /// Learns from a response head of `host` that came over HTTPS.
    pub(super) fn hsts_learn(&mut self, host: &str, headers: &ResponseHeaders) {
        let Some(hsts) = self.easy.inner.extras().hsts.as_ref() else {
            return;
        };
        let bad = match hsts.0.lock() {
            Ok(mut cache) => {
                let now = wall_now();
                // Each field in turn; a bad one is skipped, as in libcurl.
                let mut bad = false;
                for value in headers.get_all("strict-transport-security") {
                    bad |= !cache.learn(host, value, now);
                }
                bad
            }
            Err(_) => false,
        };
        if bad {
            self.easy
                .inner
                .trace_text(|| "Illegal STS header skipped".to_owned());
        }
    }
}
