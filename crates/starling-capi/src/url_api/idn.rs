//! International host names to punycode (`CURLU_PUNYCODE`).
//!
//! Debian's libcurl converts through libidn2's `idn2_lookup_ul`, which
//! reads the name in the character set of the program's locale: in the
//! "C" locale that C programs start in, any byte above 127 fails to
//! convert. Starling converts UTF-8 names with UTS #46 as libcurl asks
//! libidn2 to: non-transitional first, transitional when that fails, with
//! hyphens checked (libidn2 refuses `-x-` and `xx--x`), and fails the
//! same way when the locale's character set is not UTF-8.

use std::ffi::CStr;

/// Whether the program's locale reads text as UTF-8.
fn locale_is_utf8() -> bool {
    // SAFETY: nl_langinfo takes an item number and returns a pointer to a
    // NUL-terminated string owned by the C library (never NULL for a valid
    // item), which is copied out before any other locale call.
    let codeset = unsafe { CStr::from_ptr(libc::nl_langinfo(libc::CODESET)) };
    let name = codeset.to_bytes();
    name.eq_ignore_ascii_case(b"UTF-8") || name.eq_ignore_ascii_case(b"utf8")
}

/// `host` in punycode; None when it cannot be converted.
pub(crate) fn to_ascii(host: &[u8]) -> Option<Vec<u8>> {
    if !locale_is_utf8() {
        return None;
    }
    punycode(host)
}

/// UTS #46's transitional mapping, done before the non-transitional
/// conversion: the four characters the two differ on.
fn transitional(host: &str) -> String {
    let mut out = String::with_capacity(host.len());
    for c in host.chars() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            '\u{200C}' | '\u{200D}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// One UTS #46 conversion to ASCII, hyphens checked.
fn uts46(host: &[u8]) -> Option<Vec<u8>> {
    let uts46 = idna::uts46::Uts46::new();
    let checked = uts46.to_ascii(
        host,
        idna::AsciiDenyList::EMPTY,
        idna::uts46::Hyphens::Check,
        idna::uts46::DnsLength::Ignore,
    );
    checked.ok().map(|name| name.into_owned().into_bytes())
}

/// The UTS #46 conversion itself, without the locale's say.
fn punycode(host: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(host).ok()?;
    uts46(host).or_else(|| uts46(transitional(text).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::punycode;

    #[test]
    fn converts_and_lower_cases() {
        assert_eq!(
            punycode("höst.de".as_bytes()).as_deref(),
            Some(&b"xn--hst-sna.de"[..])
        );
        assert_eq!(
            punycode("Faß.de".as_bytes()).as_deref(),
            Some(&b"xn--fa-hia.de"[..])
        );
        assert_eq!(
            punycode("BÜCHER".as_bytes()).as_deref(),
            Some(&b"xn--bcher-kva"[..])
        );
        assert_eq!(punycode(b"\xff"), None);
        assert_eq!(
            punycode("a\u{200d}bö".as_bytes()).as_deref(),
            Some(&b"xn--ab-gka"[..])
        );
        assert_eq!(punycode("-ö-".as_bytes()), None);
    }
}
