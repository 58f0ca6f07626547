//! The challenges of one `WWW-Authenticate` (or `Proxy-Authenticate`)
//! value, found as libcurl finds them: a method's name at the value's
//! start or after a comma, followed by a space, a comma or the end.

/// A challenge's method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Basic,
    Digest,
    Bearer,
}

/// Each challenge of `value` whose method Starling speaks, with the text
/// after its name to the value's end (libcurl's Digest reader takes it
/// all).
pub fn challenges(value: &[u8]) -> impl Iterator<Item = (Scheme, &[u8])> {
    let mut rest = value;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let found = [
            (Scheme::Digest, b"Digest".as_slice()),
            (Scheme::Basic, b"Basic"),
            (Scheme::Bearer, b"Bearer"),
        ]
        .into_iter()
        .find_map(|(scheme, name)| {
            let head = rest.get(..name.len())?;
            let separated = matches!(
                rest.get(name.len()),
                None | Some(b',' | b' ' | b'\t' | b'\r' | b'\n')
            );
            (head.eq_ignore_ascii_case(name) && separated).then(|| (scheme, &rest[name.len()..]))
        });
        // On to the next comma and past the spaces after it.
        let comma = rest.iter().position(|&b| b == b',').map_or(rest.len(), |i| i + 1);
        rest = &rest[comma..];
        while let [b, after @ ..] = rest {
            if !b.is_ascii_whitespace() {
                break;
            }
            rest = after;
        }
        if found.is_some() {
            return found;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemes(value: &str) -> Vec<Scheme> {
        challenges(value.as_bytes()).map(|(s, _)| s).collect()
    }

    #[test]
    fn methods_found_as_libcurl_finds_them() {
        assert_eq!(schemes("Basic realm=\"x\""), [Scheme::Basic]);
        assert_eq!(schemes("basic"), [Scheme::Basic]);
        assert_eq!(
            schemes("Basic, Bearer realm=\"y\""),
            [Scheme::Basic, Scheme::Bearer]
        );
        assert_eq!(schemes("Basicx realm=\"x\""), []);
        assert_eq!(schemes("NTLM, Negotiate"), []);
        // A comma inside Digest's parameters starts a new search, as in
        // libcurl: `qop` is not a method.
        assert_eq!(
            schemes("Digest realm=\"r\", nonce=\"n\", Basic realm=\"r\""),
            [Scheme::Digest, Scheme::Basic]
        );
        let (_, params) = challenges(b"Digest realm=\"r\", nonce=\"n\"").next().unwrap();
        assert_eq!(params, b" realm=\"r\", nonce=\"n\"");
    }
}
