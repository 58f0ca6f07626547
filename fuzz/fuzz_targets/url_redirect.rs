//! A handle's URL, a redirect's Location and CONNECT_TO entries, routed
//! and resolved as a transfer does (`starling::fuzzing::Handle`). Lines of
//! the input: the URL, the Location, then the entries. No panic, and what
//! comes out is safe to write into a request: see `check_parts`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use starling::fuzzing::{Handle, UrlParts};
use starling_fuzz::Input;

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let options = input.byte();
    let mut lines = input.rest().split(|&b| b == b'\n');
    let url = String::from_utf8_lossy(lines.next().unwrap_or(b""));
    let location = lines.next().unwrap_or(b"");
    let entries: Vec<String> = lines.map(|l| String::from_utf8_lossy(l).into_owned()).collect();
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    let default_protocol = match options & 3 {
        0 => None,
        1 => Some("https"),
        2 => Some("http"),
        _ => Some("ftp"),
    };
    let handle = Handle::new(&url, default_protocol, &entries, options & 4 != 0);
    let Ok(base) = handle.route() else {
        assert!(
            handle.redirect(location).is_err(),
            "a redirect from a URL that does not route"
        );
        return;
    };
    check_parts(&base);
    // Routing is a function of the URL: the URL it produced routes the same.
    if let Ok(again) = Handle::new(&base.url, None, &entries, options & 4 != 0).route() {
        assert_eq!(
            (
                &again.url,
                &again.pool_key,
                &again.request_target,
                again.port,
                &again.connect
            ),
            (
                &base.url,
                &base.pool_key,
                &base.request_target,
                base.port,
                &base.connect
            ),
            "the routed URL routes elsewhere"
        );
    } else {
        panic!("the routed URL {:?} does not route", base.url);
    }
    if let Ok(Some((next, same_origin))) = handle.redirect(location) {
        check_parts(&next);
        assert_eq!(same_origin, next.pool_key == base.pool_key);
        // The handle's URL credentials never go to another origin.
        if !same_origin && base.auth.is_some() {
            assert!(
                next.auth != base.auth || location.contains(&b'@'),
                "credentials leaked"
            );
        }
    }
});

/// What a routed URL must be: the parts the request line, the Host header
/// and the pool use can split no line and carry no credentials.
fn check_parts(p: &UrlParts) {
    let scheme = if p.https { "https://" } else { "http://" };
    assert!(p.url.starts_with(scheme), "{p:?}");
    assert!(p.url.starts_with(&p.pool_key), "{p:?}");
    assert!(p.pool_key.starts_with(scheme), "{p:?}");
    assert!(p.request_target.starts_with('/'), "{p:?}");
    assert!(
        !p.request_target
            .bytes()
            .any(|b| b <= b' ' || b == 0x7f || b == b'#'),
        "request target {:?}",
        p.request_target
    );
    assert!(!p.authority.is_empty() && !p.host.is_empty(), "{p:?}");
    assert!(
        !p.authority
            .bytes()
            .any(|b| b <= b' ' || b == 0x7f || b"/@?#".contains(&b)),
        "authority {:?}",
        p.authority
    );
    let parsed = url::Url::parse(&p.url).expect("the routed URL parses");
    assert!(
        parsed.username().is_empty() && parsed.password().is_none(),
        "{p:?}"
    );
    assert_eq!(parsed.port_or_known_default(), Some(p.port), "{p:?}");
    assert!(!p.connect.0.is_empty(), "{p:?}");
}
