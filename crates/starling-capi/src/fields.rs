//! The request header fields a C handle's options make: HTTPHEADER's list
//! and the options libcurl turns into fields of their own (USERAGENT,
//! REFERER, COOKIE, RANGE, RESUME_FROM, USERPWD and its parts). libcurl
//! keeps them apart, whatever the order they are set in, and a field the
//! list names wins over the option's.

use starling::Easy;

use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};

/// `CURLAUTH_BASIC`.
pub const AUTH_BASIC: u64 = 1;

/// What the options say about the request's header fields.
#[derive(Debug, Clone)]
pub struct RequestFields {
    /// HTTPHEADER's fields, as (name, value).
    pub list: Vec<(String, String)>,
    pub user_agent: Option<String>,
    pub referer: Option<String>,
    pub cookie: Option<String>,
    /// RANGE, without its `bytes=`.
    pub range: Option<String>,
    /// RESUME_FROM(_LARGE): a range from this byte on, unless RANGE is set.
    pub resume_from: Option<u64>,
    pub user: Option<String>,
    pub password: Option<String>,
    /// HTTPAUTH's methods (Basic only is built in).
    pub auth: u64,
}

impl Default for RequestFields {
    fn default() -> Self {
        RequestFields {
            list: Vec::new(),
            user_agent: None,
            referer: None,
            cookie: None,
            range: None,
            resume_from: None,
            user: None,
            password: None,
            auth: AUTH_BASIC,
        }
    }
}

impl RequestFields {
    /// The fields in the order they are sent: the list's, then each
    /// option's unless the list names that field.
    pub fn fields(&self) -> Vec<(String, String)> {
        let listed = |name: &str| self.list.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        let mut out = self.list.clone();
        let mut add = |name: &str, value: Option<String>| {
            if let Some(value) = value.filter(|_| !listed(name)) {
                out.push((name.to_string(), value));
            }
        };
        add("User-Agent", self.user_agent.clone());
        add("Referer", self.referer.clone());
        add("Cookie", self.cookie.clone());
        let range = match (&self.range, self.resume_from) {
            (Some(range), _) => Some(format!("bytes={range}")),
            (None, Some(from)) if from > 0 => Some(format!("bytes={from}-")),
            _ => None,
        };
        add("Range", range);
        add("Authorization", self.basic_auth());
        out
    }

    /// `Basic` credentials from USERPWD (or USERNAME and PASSWORD), when
    /// HTTPAUTH allows Basic.
    fn basic_auth(&self) -> Option<String> {
        if self.auth & AUTH_BASIC == 0 || (self.user.is_none() && self.password.is_none()) {
            return None;
        }
        Some(starling::basic_credentials(
            self.user.as_deref().unwrap_or("").as_bytes(),
            self.password.as_deref().unwrap_or("").as_bytes(),
        ))
    }

    /// Replaces `easy`'s header fields with these.
    pub fn apply(&self, easy: &mut Easy) -> CurlCode {
        easy.headers_mut().clear();
        let mut code = CURLE_OK;
        for (name, value) in self.fields() {
            if easy.header(&name, &value).is_err() {
                code = CURLE_BAD_FUNCTION_ARGUMENT;
            }
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &RequestFields) -> Vec<(String, String)> {
        f.fields()
    }

    #[test]
    fn options_become_fields_unless_listed() {
        let mut f = RequestFields {
            user_agent: Some("ua/1".into()),
            referer: Some("http://r.test/".into()),
            cookie: Some("a=1".into()),
            resume_from: Some(5),
            user: Some("user".into()),
            password: Some("pass".into()),
            ..RequestFields::default()
        };
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&f),
            pairs(&[
                ("User-Agent", "ua/1"),
                ("Referer", "http://r.test/"),
                ("Cookie", "a=1"),
                ("Range", "bytes=5-"),
                ("Authorization", "Basic dXNlcjpwYXNz"),
            ])
        );
        f.range = Some("0-9".into());
        f.list = vec![("user-agent".into(), "listed".into()), ("X-A".into(), "b".into())];
        f.auth = 2; // Digest only: no Basic credentials.
        assert_eq!(
            names(&f),
            pairs(&[
                ("user-agent", "listed"),
                ("X-A", "b"),
                ("Referer", "http://r.test/"),
                ("Cookie", "a=1"),
                ("Range", "bytes=0-9"),
            ])
        );
    }
}
