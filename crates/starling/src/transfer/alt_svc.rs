//! Alternative services in a transfer's life (`Easy::alt_svc`): the
//! `Alt-Svc` fields of a response over HTTPS are learnt, as libcurl learns
//! them; where a request connects is decided with the route
//! (`target::Route::to`).

use super::state::Transfer;
use crate::alt_svc::Alpn;
use crate::hsts::wall_now;
use crate::http1::ResponseHeaders;

impl Transfer {
    /// Learns from a response head of origin `host`:`port` that came over
    /// HTTPS (on an HTTP/1.1 connection), traced in libcurl's words.
    pub(super) fn alt_svc_learn(&mut self, host: &str, port: u16, headers: &ResponseHeaders) {
        let Some(cache) = self.easy.inner.extras().alt_svc.as_ref() else {
            return;
        };
        let added = match cache.0.lock() {
            Ok(mut cache) => {
                let now = wall_now();
                let mut added = Vec::new();
                for value in headers.get_all("alt-svc") {
                    added.extend(cache.learn(Alpn::H1, host, port, value, now));
                }
                added
            }
            Err(_) => return,
        };
        for dst in added {
            self.easy.inner.trace_text(|| {
                format!(
                    "Added alt-svc: {}:{} over {}",
                    dst.host,
                    dst.port,
                    dst.alpn.name()
                )
            });
        }
    }
}
