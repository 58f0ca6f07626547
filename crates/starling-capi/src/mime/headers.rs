//! The header lines libcurl writes for each part (its
//! `Curl_mime_prepare_headers` with the form strategy):
//! `Content-Disposition` with the name and file name, `Content-Type`
//! (given, or guessed from the file name as libcurl 7.88 guesses it, with
//! the boundary for subparts), and `Content-Transfer-Encoding` for an
//! encoder; the part's own headers may replace the first and last, and
//! name its type.

use super::tree::{Content, Part};

/// libcurl's type for a file part it knows no better type for.
const FILE_TYPE: &[u8] = b"application/octet-stream";
/// libcurl's type for subparts without one.
const MULTIPART_TYPE: &[u8] = b"multipart/mixed";

/// How names and file names are escaped in `Content-Disposition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// The HTML form rule libcurl 7.88 follows: `"` as `%22`, CR as
    /// `%0D`, LF as `%0A`.
    Form,
    /// `CURLMIMEOPT_FORMESCAPE`: backslashes before `\` and `"`.
    Backslash,
}

/// The type libcurl 7.88 guesses from a file name's extension (in any
/// case), if any.
pub fn type_for_name(name: &[u8]) -> Option<&'static [u8]> {
    const TYPES: [(&[u8], &[u8]); 10] = [
        (b".gif", b"image/gif"),
        (b".jpg", b"image/jpeg"),
        (b".jpeg", b"image/jpeg"),
        (b".png", b"image/png"),
        (b".svg", b"image/svg+xml"),
        (b".txt", b"text/plain"),
        (b".htm", b"text/html"),
        (b".html", b"text/html"),
        (b".pdf", b"application/pdf"),
        (b".xml", b"application/xml"),
    ];
    TYPES
        .iter()
        .find(|(ext, _)| name.len() >= ext.len() && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext))
        .map(|&(_, ty)| ty)
}

/// The value of the first `Name:` line of `lines` (the name in any case,
/// the colon right after it, leading spaces skipped), as libcurl looks
/// a part's own headers up.
pub fn find<'a>(lines: &'a [Vec<u8>], name: &str) -> Option<&'a [u8]> {
    lines.iter().find_map(|line| {
        let rest = line.get(name.len()..)?;
        if !line[..name.len()].eq_ignore_ascii_case(name.as_bytes()) || rest.first() != Some(&b':') {
            return None;
        }
        let value = &rest[1..];
        Some(&value[value.iter().take_while(|&&b| b == b' ').count()..])
    })
}

/// Whether `ty` is `target` followed by nothing, a space or a `;`.
fn type_is(ty: Option<&[u8]>, target: &[u8]) -> bool {
    let Some(ty) = ty else { return false };
    ty.len() >= target.len()
        && ty[..target.len()].eq_ignore_ascii_case(target)
        && matches!(
            ty.get(target.len()),
            None | Some(b'\t' | b'\r' | b'\n' | b' ' | b';')
        )
}

/// `text` escaped for a quoted `Content-Disposition` parameter.
fn escape(text: &[u8], how: Escape) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for &b in text {
        match (how, b) {
            (Escape::Form, b'"') => out.extend_from_slice(b"%22"),
            (Escape::Form, b'\r') => out.extend_from_slice(b"%0D"),
            (Escape::Form, b'\n') => out.extend_from_slice(b"%0A"),
            (Escape::Backslash, b'"' | b'\\') => out.extend_from_slice(&[b'\\', b]),
            _ => out.push(b),
        }
    }
    out
}

/// What one part's headers are made from, besides the part.
pub struct Context<'a> {
    /// The type its parent decided (the top part's: the request's), used
    /// when the part has none of its own.
    pub content_type: Option<&'a [u8]>,
    /// The disposition its parent decided (`form-data` inside a form).
    pub disposition: Option<&'a [u8]>,
    /// The part's own header lines (for the top part: the request's).
    pub own: &'a [Vec<u8>],
    pub escape: Escape,
}

/// The header lines libcurl generates for `part` (without line ends), and
/// the disposition its subparts get.
pub fn part_headers(part: &Part, cx: &Context<'_>) -> (Vec<Vec<u8>>, Option<&'static [u8]>) {
    let custom = part.mimetype.as_deref().or_else(|| find(cx.own, "Content-Type"));
    let mut ty = custom.or(cx.content_type);
    let filename = part.filename.as_deref();
    if ty.is_none() {
        ty = match &part.content {
            Content::Subparts { .. } => Some(MULTIPART_TYPE),
            Content::File(f) => filename
                .and_then(type_for_name)
                .or_else(|| type_for_name(f.path.as_bytes()))
                .or(filename.map(|_| FILE_TYPE)),
            _ => filename.and_then(type_for_name),
        };
    }
    let boundary = part.subparts().map(|m| m.boundary.as_bytes());
    // A guessed text/plain goes without saying, unless for a file.
    if boundary.is_none() && custom.is_none() && filename.is_none() && type_is(ty, b"text/plain") {
        ty = None;
    }
    let mut lines = Vec::new();
    if find(cx.own, "Content-Disposition").is_none() {
        let named = filename.is_some() || part.name.is_some();
        let mut disposition = cx.disposition;
        let not_multipart =
            ty.is_some_and(|t| !(t.len() >= 10 && t[..10].eq_ignore_ascii_case(b"multipart/")));
        if disposition.is_none() && (named || not_multipart) {
            disposition = Some(b"attachment");
        }
        if disposition.is_some_and(|d| d.eq_ignore_ascii_case(b"attachment")) && !named {
            disposition = None;
        }
        if let Some(d) = disposition {
            let mut line = b"Content-Disposition: ".to_vec();
            line.extend_from_slice(d);
            for (key, value) in [
                (&b"; name=\""[..], &part.name),
                (b"; filename=\"", &part.filename),
            ] {
                if let Some(value) = value {
                    line.extend_from_slice(key);
                    line.extend_from_slice(&escape(value, cx.escape));
                    line.push(b'"');
                }
            }
            lines.push(line);
        }
    }
    if let Some(ty) = ty {
        let mut line = b"Content-Type: ".to_vec();
        line.extend_from_slice(ty);
        if let Some(b) = boundary {
            line.extend_from_slice(b"; boundary=");
            line.extend_from_slice(b);
        }
        lines.push(line);
    }
    if let Some(enc) = part.encoder {
        if find(cx.own, "Content-Transfer-Encoding").is_none() {
            lines.push(format!("Content-Transfer-Encoding: {}", enc.name()).into_bytes());
        }
    }
    let children = type_is(ty, b"multipart/form-data").then_some(&b"form-data"[..]);
    (lines, children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_types_as_libcurl_does() {
        assert_eq!(type_for_name(b"a.PNG"), Some(&b"image/png"[..]));
        assert_eq!(type_for_name(b"dir/x.jpeg"), Some(&b"image/jpeg"[..]));
        assert_eq!(type_for_name(b"x.json"), None);
        assert_eq!(type_for_name(b".txt"), Some(&b"text/plain"[..]));
    }

    #[test]
    fn finds_a_header_as_libcurl_does() {
        let lines = vec![
            b"X-A: 1".to_vec(),
            b"content-type:   text/x".to_vec(),
            b"Content-Type : no".to_vec(),
        ];
        assert_eq!(find(&lines, "Content-Type"), Some(&b"text/x"[..]));
        assert_eq!(find(&lines, "X-B"), None);
        assert!(type_is(Some(b"multipart/form-data; x"), b"multipart/form-data"));
        assert!(!type_is(Some(b"multipart/form-datax"), b"multipart/form-data"));
    }

    #[test]
    fn escapes_names() {
        assert_eq!(escape(b"a\"b\r\n\\", Escape::Form), b"a%22b%0D%0A\\");
        assert_eq!(escape(b"a\"b\\", Escape::Backslash), b"a\\\"b\\\\");
    }
}
