//! Keeping and finding fields as libcurl 7.88 does (the answers below are
//! what it gave for the same lines).

use std::ffi::CStr;

use super::*;

/// A log fed with `heads`, each head's lines as the handler gets them.
fn fed(heads: &[&str]) -> Headers {
    let mut h = Headers::default();
    for head in heads {
        for line in head.split_inclusive('\n') {
            h.record(line.as_bytes());
        }
    }
    h
}

/// An interim head, with a repeated name.
const INTERIM: &str = "HTTP/1.1 100 Go\r\nX-Interim: yes\r\nx-interim:  two \r\n\r\n";
/// A redirect: repeated and odd-case names, white space around values.
const REDIRECT: &str = "HTTP/1.1 302 Found\r\nLocation: /b\r\nSet-Cookie: a=1\r\n\
                        set-COOKIE:   b=2  \r\nX-Empty:\r\nX-Spaces:    \r\nX-Tab:\tt\tv\t\r\n\r\n";
/// The final head.
const FINAL: &str = "HTTP/1.1 200 OK\r\nX-ODD-case:  v \r\n\r\n";

/// Name, value, index, amount and origin of what `find` answers.
fn found(h: &Headers, name: &str, index: usize, origin: u32, request: i32) -> Result<String, u32> {
    let f = h.find(name.as_bytes(), index, origin, request, 0)?;
    let e = &h.entries[f.entry];
    Ok(format!(
        "{}={} {}/{} {}",
        String::from_utf8_lossy(h.name(e)),
        String::from_utf8_lossy(h.value(e)).escape_debug(),
        f.index,
        f.amount,
        e.origin
    ))
}

/// Every field `next` walks through, as `name=value index/amount`.
fn walk(h: &Headers, origin: u32, request: i32) -> Vec<String> {
    let mut out = Vec::new();
    let mut after = None;
    while let Some(f) = h.next(origin, request, after, 0) {
        let e = &h.entries[f.entry];
        let (name, value) = (h.name(e), h.value(e));
        out.push(format!(
            "{}={} {}/{}",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value),
            f.index,
            f.amount
        ));
        after = Some(f.entry);
    }
    out
}

#[test]
fn fields_keep_the_servers_names_and_trimmed_values() {
    let h = fed(&[INTERIM, REDIRECT, FINAL]);
    assert_eq!(
        found(&h, "set-cookie", 0, 1, 0),
        Ok("Set-Cookie=a=1 0/2 1".into())
    );
    assert_eq!(
        found(&h, "SET-COOKIE", 1, 1, 0),
        Ok("set-COOKIE=b=2 1/2 1".into())
    );
    assert_eq!(found(&h, "x-tab", 0, 31, 0), Ok("X-Tab=t\\tv 0/1 1".into()));
    // libcurl never trims a value's first byte: an empty value is "\r".
    assert_eq!(found(&h, "x-empty", 0, 1, 0), Ok("X-Empty=\\r 0/1 1".into()));
    assert_eq!(found(&h, "x-spaces", 0, 1, 0), Ok("X-Spaces=\\r 0/1 1".into()));
    assert_eq!(found(&h, "x-interim", 1, 8, 0), Ok("x-interim=two 1/2 8".into()));
    assert_eq!(found(&h, "X-odd-CASE", 0, 1, -1), Ok("X-ODD-case=v 0/1 1".into()));
}

#[test]
fn requests_count_from_zero_with_interim_heads_in_theirs() {
    let h = fed(&[INTERIM, REDIRECT, INTERIM, FINAL]);
    assert_eq!(walk(&h, 8, 0), ["X-Interim=yes 0/2", "x-interim=two 1/2"]);
    assert_eq!(walk(&h, 8, 1), walk(&h, 8, 0));
    assert_eq!(walk(&h, 1, -1), ["X-ODD-case=v 0/1"]);
    assert_eq!(walk(&h, 9, 1).len(), 3);
    assert_eq!(walk(&h, 1, 0).len(), 6);
    assert!(walk(&h, 1, 2).is_empty());
    assert!(walk(&h, 2, 0).is_empty());
    // An origin bit no field has (or 0) matches nothing; 33 includes 1.
    assert!(walk(&h, 0, 0).is_empty());
    assert_eq!(walk(&h, 33, -1), walk(&h, 1, -1));
}

#[test]
fn errors_come_in_libcurls_order() {
    let empty = Headers::default();
    assert_eq!(found(&empty, "a", 0, 1, -1), Err(CURLHE_NOHEADERS));
    assert_eq!(found(&empty, "a", 0, 0, -1), Err(CURLHE_BAD_ARGUMENT));
    let h = fed(&[REDIRECT, FINAL]);
    for (origin, request) in [(0, 0), (32, 0), (33, 0), (1, -2)] {
        assert_eq!(
            found(&h, "location", 0, origin, request),
            Err(CURLHE_BAD_ARGUMENT)
        );
    }
    assert_eq!(found(&h, "location", 0, 1, 2), Err(CURLHE_NOREQUEST));
    assert_eq!(found(&h, "location", 0, 1, -1), Err(CURLHE_MISSING));
    assert_eq!(found(&h, "location", 1, 1, 0), Err(CURLHE_BADINDEX));
    assert_eq!(found(&h, "location", 0, 8, 0), Err(CURLHE_MISSING));
    assert_eq!(found(&h, "", 0, 1, 0), Err(CURLHE_MISSING));
    assert!(h.next(1, 2, None, 0).is_none());
}

#[test]
fn a_head_being_received_answers_what_came_so_far() {
    let mut h = fed(&[REDIRECT]);
    // The next response's status line starts request 1 at once.
    h.record(b"HTTP/1.1 200 OK\r\n");
    assert_eq!(found(&h, "location", 0, 1, -1), Err(CURLHE_MISSING));
    assert_eq!(found(&h, "location", 0, 1, 0), Ok("Location=/b 0/1 1".into()));
    h.record(b"Location: /c\r\n");
    assert_eq!(found(&h, "location", 0, 1, -1), Ok("Location=/c 0/1 1".into()));
}

#[test]
fn a_followed_redirect_is_a_request_before_its_response_comes() {
    let h = fed(&[REDIRECT]);
    assert_eq!(found(&h, "location", 0, 1, -1), Ok("Location=/b 0/1 1".into()));
    // One redirect followed, its target not answering (yet).
    let f = |request| h.find(b"location", 0, 1, request, 1).map(|f| f.amount);
    assert_eq!(
        (f(-1), f(0), f(1), f(2)),
        (
            Err(CURLHE_MISSING),
            Ok(1),
            Err(CURLHE_MISSING),
            Err(CURLHE_NOREQUEST)
        )
    );
    assert!(h.next(31, -1, None, 1).is_none());
    assert!(h.next(31, 0, None, 1).is_some());
}

#[test]
fn folded_lines_join_the_last_value() {
    let h = fed(&["HTTP/1.1 100 Go\r\nX-F: a\r\n  folded \r\n\tTwice\r\nY:b\r\n\r\n"]);
    assert_eq!(walk(&h, 8, 0), ["X-F=a folded\tTwice 0/1", "Y=b 0/1"]);
    // A fold with no field before it is dropped.
    assert!(fed(&["HTTP/1.1 100 Go\r\n folded\r\n\r\n"]).entries.is_empty());
}

#[test]
fn handed_out_strings_stay_put_while_fields_arrive() {
    // The redirect's head, still arriving.
    let mut h = fed(&[REDIRECT.strip_suffix("\r\n").unwrap()]);
    let first = h.find(b"location", 0, 1, 0, 0).unwrap();
    let out = h.hand_out(first);
    // SAFETY (the reads below): pointers `hand_out` just gave.
    let (name, anchor) = unsafe { ((*out).name, (*out).anchor) };
    assert_eq!(anchor as usize, first.entry + 1);
    let long = format!("X-Long: {}\r\n", "v".repeat(5000));
    for _ in 0..20 {
        h.record(long.as_bytes());
        h.record(b"X-Folded: a\r\n");
        h.record(format!(" {}\r\n", "w".repeat(300)).as_bytes());
    }
    assert_eq!(unsafe { CStr::from_ptr(name) }.to_bytes(), b"Location");
    assert_eq!(found(&h, "x-long", 19, 1, 0).map(|s| s.len()), Ok(5000 + 15));
    assert_eq!(h.value(&h.entries[h.entries.len() - 1]).len(), 302);
    // One struct, overwritten by each answer.
    let next = h.next(1, 0, Some(first.entry), 0).unwrap();
    assert_eq!(h.hand_out(next), out);
    assert_eq!(unsafe { CStr::from_ptr((*out).name) }.to_bytes(), b"Set-Cookie");
    assert_eq!(unsafe { (*out).origin }, 1 | 1 << 27);
}

#[test]
fn a_new_transfer_starts_empty_and_keeps_one_chunk() {
    let big = format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\n\r\n", "b".repeat(3000));
    let mut h = fed(&[INTERIM, REDIRECT, &big]);
    h.clear();
    assert_eq!(found(&h, "x-interim", 0, 8, 0), Err(CURLHE_NOHEADERS));
    assert_eq!(h.chunks.len(), 1);
    assert!(h.chunks[0].capacity() >= 3000 && h.chunks[0].is_empty());
    for line in FINAL.split_inclusive('\n') {
        h.record(line.as_bytes());
    }
    assert_eq!(found(&h, "x-odd-case", 0, 1, 0), Ok("X-ODD-case=v 0/1 1".into()));
}

#[test]
fn status_codes_are_read_from_status_lines() {
    assert_eq!(status_code(b"HTTP/1.1 103 Early Hints\r\n"), Some(103));
    assert_eq!(status_code(b"HTTP/1.0 200\r\n"), Some(200));
    assert_eq!(status_code(b"HTTP/1.1 2x0 OK\r\n"), None);
    assert_eq!(status_code(b"garbage"), None);
}
