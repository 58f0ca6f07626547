//! Cookies in a transfer: the jar's files read when it starts, the
//! `Cookie` field each request carries (the jar's cookies, then the
//! application's own string, in one field as libcurl writes it), and
//! each response's `Set-Cookie` fields taught to the jar as its head
//! arrives, with libcurl's words on each.

use super::state::Transfer;
use crate::cookie::{secure_context, MAX_SET_PER_RESPONSE};
use crate::http1::ResponseHead;

impl Transfer {
    /// Reads the cookie files set since the last transfer into the jar.
    pub(super) fn load_cookie_files(&mut self) {
        if !self.easy.inner.extras().cookie_files.is_empty() {
            self.easy.load_cookie_files_now();
        }
    }

    /// The `Cookie` value of the request about to go out, if any: the
    /// jar's cookies for it, then the handle's own cookie string.
    pub(super) fn cookie_field(&mut self) -> Option<String> {
        self.easy.inner.extras().cookies.as_ref()?;
        let target = &self.route().target;
        let host = target.host().to_owned();
        let path = target.request_target();
        let path = path.split('?').next().unwrap_or(path).to_owned();
        let secure = secure_context(target.is_https(), &host);
        let (value, said) = self
            .easy
            .with_cookie_jar(|jar| jar.cookie_header(&host, &path, secure))?;
        if let Some(said) = said {
            self.easy.inner.trace_text(|| said);
        }
        // The option's string, unless the request's own fields have a
        // Cookie (libcurl then leaves the string out, the jar's in).
        let own = match self.request_headers().contains_key("Cookie") {
            true => None,
            false => self.easy.inner.extras().option_fields.before_own.get("Cookie"),
        };
        match (value, own) {
            (Some(jar), Some(own)) => Some(format!("{jar}; {}", String::from_utf8_lossy(own))),
            (value, _) => value,
        }
    }

    /// Teaches the jar a response's `Set-Cookie` fields (at most libcurl's
    /// 50); libcurl's words on each, by the field's ordinal.
    pub(super) fn learn_cookies(&mut self, head: &ResponseHead) -> Vec<(usize, String)> {
        if self.easy.inner.extras().cookies.is_none() || !head.headers.contains_key("set-cookie") {
            return Vec::new();
        }
        let target = &self.route().target;
        let host = target.host().to_owned();
        let path = target.request_target();
        let path = path.split('?').next().unwrap_or(path).to_owned();
        let secure = secure_context(target.is_https(), &host);
        self.easy
            .with_cookie_jar(|jar| {
                head.headers
                    .get_all("set-cookie")
                    .take(MAX_SET_PER_RESPONSE)
                    .enumerate()
                    .filter_map(|(i, value)| {
                        jar.set_cookie(value, &host, &path, secure).map(|said| (i, said))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}
