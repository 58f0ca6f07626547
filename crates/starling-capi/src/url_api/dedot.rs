//! Removing `.` and `..` segments from a path (RFC 3986, 5.2.4), which
//! libcurl does to every parsed path unless `CURLU_PATH_AS_IS`.

/// Drops the last segment of `out` and the `/` before it.
fn pop_segment(out: &mut Vec<u8>) {
    let cut = out.iter().rposition(|&c| c == b'/').unwrap_or(0);
    out.truncate(cut);
}

/// `path` without its dot segments. Encoded dots (`%2e`) are not dots
/// here, as in libcurl.
pub(crate) fn remove_dot_segments(path: &[u8]) -> Vec<u8> {
    let mut input = path;
    let mut out = Vec::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix(b"../").or_else(|| input.strip_prefix(b"./")) {
            // A: a relative path's leading dots go.
            input = rest;
        } else if input == b"." || input == b".." {
            // D: nothing is left but dots.
            break;
        } else if input.starts_with(b"/./") {
            // B: "/./" becomes "/".
            input = &input[2..];
        } else if input == b"/." {
            out.push(b'/');
            break;
        } else if input.starts_with(b"/../") {
            // C: "/../" becomes "/" and takes the last segment with it.
            input = &input[3..];
            pop_segment(&mut out);
        } else if input == b"/.." {
            pop_segment(&mut out);
            out.push(b'/');
            break;
        } else {
            // E: the first segment (with its leading slash) moves over.
            let end = input[1..]
                .iter()
                .position(|&c| c == b'/')
                .map_or(input.len(), |i| i + 1);
            out.extend_from_slice(&input[..end]);
            input = &input[end..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::remove_dot_segments as dedot;

    #[test]
    fn rfc_3986_examples() {
        assert_eq!(dedot(b"/a/b/c/./../../g"), b"/a/g");
        assert_eq!(dedot(b"mid/content=5/../6"), b"mid/6");
    }

    #[test]
    fn edges() {
        assert_eq!(dedot(b"/a/./b/../c"), b"/a/c");
        assert_eq!(dedot(b"/../../x"), b"/x");
        assert_eq!(dedot(b"/a/b/.."), b"/a/");
        assert_eq!(dedot(b"/a/b/."), b"/a/b/");
        assert_eq!(dedot(b"/.."), b"/");
        assert_eq!(dedot(b"/a//b//../c"), b"/a//b/c");
        assert_eq!(dedot(b"/a/..b/.c/d."), b"/a/..b/.c/d.");
        assert_eq!(dedot(b"/a/%2e%2e/b"), b"/a/%2e%2e/b");
        assert_eq!(dedot(b"./.."), b"");
        assert_eq!(dedot(b"//"), b"//");
    }
}
