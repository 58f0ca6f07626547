//! The request header fields a C handle's options make: HTTPHEADER's list
//! and the options libcurl turns into fields of their own (USERAGENT,
//! REFERER, COOKIE, RANGE, RESUME_FROM). libcurl
//! keeps them apart, whatever the order they are set in, and a field the
//! list names wins over the option's.

use starling::http1::{HeaderEntry, OptionFields};
use starling::Easy;

use crate::codes::{CurlCode, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_OK};

/// Where in the request head libcurl writes an option's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Before Accept: Range, User-Agent (the engine writes Authorization
    /// before them).
    BeforeAccept,
    /// After Accept-Encoding: Referer.
    AfterEncoding,
    /// Before the list's fields: Cookie.
    BeforeOwn,
}

/// One of HTTPHEADER's fields (see `HeaderEntry::read`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub value: String,
    /// `Name;`: sent with its empty value.
    pub sent_empty: bool,
}

impl Listed {
    /// The field an entry of a list is, if any.
    pub fn read(line: &str) -> Option<Listed> {
        HeaderEntry::read(line).map(|e| Listed {
            name: e.name.to_owned(),
            value: e.value.to_owned(),
            sent_empty: e.sent_empty,
        })
    }

    /// Whether it is called `name` (any case).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    fn entry(&self) -> HeaderEntry<'_> {
        HeaderEntry {
            name: &self.name,
            value: &self.value,
            sent_empty: self.sent_empty,
        }
    }
}

/// What the options say about the request's header fields.
#[derive(Debug, Clone, Default)]
pub struct RequestFields {
    /// HTTPHEADER's fields.
    pub list: Vec<Listed>,
    pub user_agent: Option<String>,
    pub referer: Option<String>,
    pub cookie: Option<String>,
    /// RANGE, without its `bytes=`.
    pub range: Option<String>,
    /// RESUME_FROM(_LARGE): a range from this byte on, unless RANGE is set.
    pub resume_from: Option<u64>,
}

impl RequestFields {
    /// The fields the options make, in the order libcurl writes them,
    /// each with its place in the head; none whose name the list has.
    pub fn made(&self) -> Vec<(Slot, &'static str, String)> {
        let listed = |name: &str| self.list.iter().any(|f| f.is(name));
        let range = match (&self.range, self.resume_from) {
            (Some(range), _) => Some(format!("bytes={range}")),
            (None, Some(from)) if from > 0 => Some(format!("bytes={from}-")),
            _ => None,
        };
        [
            (Slot::BeforeAccept, "Range", range),
            (Slot::BeforeAccept, "User-Agent", self.user_agent.clone()),
            (Slot::AfterEncoding, "Referer", self.referer.clone()),
            (Slot::BeforeOwn, "Cookie", self.cookie.clone()),
        ]
        .into_iter()
        .filter_map(|(slot, name, value)| Some((slot, name, value?)).filter(|_| !listed(name)))
        .collect()
    }

    /// Replaces `easy`'s header fields with these.
    pub fn apply(&self, easy: &mut Easy) -> CurlCode {
        easy.headers_mut().clear();
        let mut code = CURLE_OK;
        for field in &self.list {
            if easy.headers_mut().append_entry(&field.entry()).is_err() {
                code = CURLE_BAD_FUNCTION_ARGUMENT;
            }
        }
        let mut made = OptionFields::default();
        for (slot, name, value) in self.made() {
            let fields = match slot {
                Slot::BeforeAccept => &mut made.before_accept,
                Slot::AfterEncoding => &mut made.after_encoding,
                Slot::BeforeOwn => &mut made.before_own,
            };
            if fields.append(name, value).is_err() {
                code = CURLE_BAD_FUNCTION_ARGUMENT;
            }
        }
        easy.option_fields(made);
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn made(f: &RequestFields) -> Vec<(Slot, &'static str, String)> {
        f.made()
    }

    #[test]
    fn options_become_fields_in_libcurls_places_unless_listed() {
        let mut f = RequestFields {
            user_agent: Some("ua/1".into()),
            referer: Some("http://r.test/".into()),
            cookie: Some("a=1".into()),
            resume_from: Some(5),
            ..RequestFields::default()
        };
        let row = |slot, name, value: &str| (slot, name, value.to_string());
        assert_eq!(
            made(&f),
            [
                row(Slot::BeforeAccept, "Range", "bytes=5-"),
                row(Slot::BeforeAccept, "User-Agent", "ua/1"),
                row(Slot::AfterEncoding, "Referer", "http://r.test/"),
                row(Slot::BeforeOwn, "Cookie", "a=1"),
            ]
        );
        f.range = Some("0-9".into());
        f.list = ["user-agent: listed", "X-A: b"]
            .into_iter()
            .filter_map(Listed::read)
            .collect();
        assert_eq!(
            made(&f),
            [
                row(Slot::BeforeAccept, "Range", "bytes=0-9"),
                row(Slot::AfterEncoding, "Referer", "http://r.test/"),
                row(Slot::BeforeOwn, "Cookie", "a=1"),
            ]
        );
    }
}
