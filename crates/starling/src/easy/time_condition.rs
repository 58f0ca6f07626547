//! Conditional requests on the document's time ([`TimeCondition`], libcurl's
//! `CURLOPT_TIMECONDITION` with `CURLOPT_TIMEVALUE`): the field the request
//! carries, and the judgement of a document the server sent anyway.

use crate::http_date;

/// Fetch the document only if its time meets a condition. The request
/// asks the server (which answers 304 when the condition fails); a
/// server that ignores the question and sends a dated document
/// (`Last-Modified`) that fails it gets the answer libcurl gives: the body
/// is dropped, the connection closed, the transfer succeeds with status
/// 304 and [`TransferInfo::condition_unmet`](crate::TransferInfo::condition_unmet)
/// set. An undated document, a time of 0 and a request for a range are
/// never judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeCondition {
    /// Only if changed after this many seconds since the epoch
    /// (`If-Modified-Since`).
    ModifiedSince(i64),
    /// Only if not changed after it (`If-Unmodified-Since`).
    UnmodifiedSince(i64),
    /// libcurl's `CURL_TIMECOND_LASTMOD`: sends `Last-Modified` with the
    /// time, and judges as [`TimeCondition::ModifiedSince`].
    LastModified(i64),
}

impl TimeCondition {
    /// The name of the field the request carries, as libcurl writes it.
    pub(crate) fn field_name(self) -> &'static str {
        match self {
            TimeCondition::ModifiedSince(_) => "If-Modified-Since",
            TimeCondition::UnmodifiedSince(_) => "If-Unmodified-Since",
            TimeCondition::LastModified(_) => "Last-Modified",
        }
    }

    /// The field the request carries.
    pub(crate) fn field(self) -> (&'static str, String) {
        let (TimeCondition::ModifiedSince(time)
        | TimeCondition::UnmodifiedSince(time)
        | TimeCondition::LastModified(time)) = self;
        (self.field_name(), http_date::format(time))
    }

    /// Whether a document with this `Last-Modified` value (if any) may be
    /// delivered; when not, libcurl's words for why.
    pub(crate) fn judge(self, last_modified: Option<&[u8]>) -> Result<(), &'static str> {
        let document = last_modified.and_then(http_date::parse).unwrap_or(0);
        match self {
            TimeCondition::ModifiedSince(0)
            | TimeCondition::LastModified(0)
            | TimeCondition::UnmodifiedSince(0) => Ok(()),
            _ if document == 0 => Ok(()),
            TimeCondition::ModifiedSince(t) | TimeCondition::LastModified(t) if document <= t => {
                Err("The requested document is not new enough")
            }
            TimeCondition::UnmodifiedSince(t) if document >= t => {
                Err("The requested document is not old enough")
            }
            _ => Ok(()),
        }
    }
}

impl super::Easy {
    /// Ask for the document only if its time meets `condition` (libcurl's
    /// `CURLOPT_TIMECONDITION` and `CURLOPT_TIMEVALUE`); `None` (the
    /// default) asks unconditionally. A field of the same name among the
    /// request's own headers is sent instead of the condition's.
    pub fn time_condition(&mut self, condition: Option<TimeCondition>) -> &mut Self {
        self.inner.extras_mut().time_condition = condition.map(|c| (c, c.field().1));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHEN: i64 = 784_111_777;
    const DAY_BEFORE: &[u8] = b"Sat, 05 Nov 1994 08:49:37 GMT";
    const DAY_AFTER: &[u8] = b"Mon, 07 Nov 1994 08:49:37 GMT";

    #[test]
    fn fields_are_written_as_libcurl_writes_them() {
        assert_eq!(
            TimeCondition::ModifiedSince(WHEN).field(),
            ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT".to_owned())
        );
        assert_eq!(TimeCondition::UnmodifiedSince(0).field().0, "If-Unmodified-Since");
        assert_eq!(
            TimeCondition::LastModified(-1).field().1,
            "Wed, 31 Dec 1969 23:59:59 GMT"
        );
    }

    #[test]
    fn documents_are_judged_as_libcurl_judges_them() {
        let since = TimeCondition::ModifiedSince(WHEN);
        assert!(since.judge(Some(DAY_BEFORE)).is_err());
        assert!(since.judge(Some(DAY_AFTER)).is_ok());
        assert!(since.judge(Some(b"Sun, 06 Nov 1994 08:49:37 GMT")).is_err());
        assert!(TimeCondition::LastModified(WHEN).judge(Some(DAY_BEFORE)).is_err());
        let unmodified = TimeCondition::UnmodifiedSince(WHEN);
        assert!(unmodified.judge(Some(DAY_BEFORE)).is_ok());
        assert!(unmodified.judge(Some(DAY_AFTER)).is_err());
        // Undated, unreadable, or no time to compare with: delivered.
        assert!(since.judge(None).is_ok());
        assert!(since.judge(Some(b"yesterday")).is_ok());
        assert!(TimeCondition::ModifiedSince(0).judge(Some(DAY_BEFORE)).is_ok());
        assert!(TimeCondition::ModifiedSince(-1).judge(Some(DAY_BEFORE)).is_ok());
    }
}
