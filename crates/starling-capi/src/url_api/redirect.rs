//! The URL a redirect names, as libcurl works it out for
//! CURLINFO_REDIRECT_URL when it does not follow (its "fake follow"): the
//! Location set on the handle's URL with the URL API, then read back.

use super::{get, parse, set, Part};

/// `location` seen from `base`, as libcurl reports a redirect it did not
/// follow; None when either cannot be read.
pub(crate) fn would_redirect(base: &str, location: &str) -> Option<String> {
    let mut url = parse::parse(base.as_bytes(), super::flags::NON_SUPPORT_SCHEME).ok()?;
    set::set(
        &mut url,
        Part::Url,
        Some(location.as_bytes()),
        super::flags::ALLOW_SPACE,
    )
    .ok()?;
    String::from_utf8(get::get(&mut url, Part::Url, 0).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_read_from_the_base_url() {
        let base = "http://127.0.0.1:8080/a/b?q=1";
        assert_eq!(
            would_redirect(base, "/next?x=1").as_deref(),
            Some("http://127.0.0.1:8080/next?x=1")
        );
        assert_eq!(
            would_redirect(base, "c").as_deref(),
            Some("http://127.0.0.1:8080/a/c")
        );
        assert_eq!(
            would_redirect(base, "https://other.test/").as_deref(),
            Some("https://other.test/")
        );
    }
}
