//! A user name and password as a URL carries them.

use url::Url;

/// A user name and password (percent-decoded: they need not be UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct UserPassword {
    pub user: Box<[u8]>,
    pub password: Box<[u8]>,
}

impl UserPassword {
    /// The credentials of `url` (a part not given: empty).
    pub fn from_url(url: &Url) -> UserPassword {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .collect::<Vec<u8>>()
                .into()
        };
        UserPassword {
            user: decode(url.username()),
            password: decode(url.password().unwrap_or("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_bytes_and_bad_escapes_kept() {
        let url = Url::parse("http://us%3Aer:p%40ss%2@h/").unwrap();
        let c = UserPassword::from_url(&url);
        assert_eq!((&*c.user, &*c.password), (&b"us:er"[..], &b"p@ss%2"[..]));
        let url = Url::parse("http://%FF@h/").unwrap();
        assert_eq!(&*UserPassword::from_url(&url).user, b"\xff");
    }
}
