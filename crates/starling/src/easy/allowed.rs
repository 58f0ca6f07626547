//! What a transfer and the redirects it follows are allowed: the schemes
//! it may use ([`Schemes`]) and the POSTs a redirect keeps ([`KeepPost`]).

use std::ops::BitOr;

use crate::error::{Error, ErrorKind};

/// A set of the schemes Starling speaks (libcurl's `CURLPROTO_*` bits for
/// HTTP and HTTPS): which a transfer may start with
/// ([`Easy::protocols`](crate::Easy::protocols)(super::Easy::protocols)) and which a redirect may
/// lead to ([`Easy::redirect_protocols`](super::Easy::redirect_protocols)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schemes(u8);

impl Schemes {
    /// None: every transfer fails with [`ErrorKind::UnsupportedProtocol`].
    pub const NONE: Schemes = Schemes(0);
    /// `http://`.
    pub const HTTP: Schemes = Schemes(1);
    /// `https://`.
    pub const HTTPS: Schemes = Schemes(2);
    /// Both.
    pub const ALL: Schemes = Schemes(3);

    /// Whether the set holds the scheme (`https` or not).
    pub fn allows(self, https: bool) -> bool {
        let bit = if https { Self::HTTPS } else { Self::HTTP };
        self.0 & bit.0 != 0
    }

    /// The set's error for a URL of the scheme it does not hold: libcurl's
    /// words, which people and programs search for.
    pub(crate) fn refuse(https: bool) -> Error {
        let scheme = if https { "https" } else { "http" };
        Error::new(
            ErrorKind::UnsupportedProtocol,
            format!("Protocol \"{scheme}\" not supported or disabled in libcurl"),
        )
    }
}

impl BitOr for Schemes {
    type Output = Schemes;

    fn bitor(self, other: Schemes) -> Schemes {
        Schemes(self.0 | other.0)
    }
}

/// Which redirects keep a POST a POST, with its body (libcurl's
/// `CURLOPT_POSTREDIR`); by default 301, 302 and 303 turn it into a GET,
/// as browsers do. 307 and 308 always keep the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeepPost {
    /// A 301 keeps the POST (`CURL_REDIR_POST_301`).
    pub on_301: bool,
    /// A 302 keeps the POST (`CURL_REDIR_POST_302`).
    pub on_302: bool,
    /// A 303 keeps the POST (`CURL_REDIR_POST_303`); other methods but
    /// HEAD still become GET.
    pub on_303: bool,
}

impl KeepPost {
    /// Whether a redirect with `status` keeps a POST.
    pub(crate) fn keeps(self, status: u16) -> bool {
        match status {
            301 => self.on_301,
            302 => self.on_302,
            303 => self.on_303,
            _ => true,
        }
    }
}

impl super::Easy {
    /// The schemes a transfer may start with (libcurl's
    /// `CURLOPT_PROTOCOLS`; all by default). A URL of another fails the
    /// transfer with [`ErrorKind::UnsupportedProtocol`] before anything is
    /// resolved or connected.
    pub fn protocols(&mut self, allowed: Schemes) -> &mut Self {
        self.inner.extras_mut().protocols = allowed;
        self
    }

    /// The schemes a followed redirect may lead to (libcurl's
    /// `CURLOPT_REDIR_PROTOCOLS`; all by default), besides
    /// [`Easy::protocols`](crate::Easy::protocols). A redirect elsewhere fails the transfer with
    /// [`ErrorKind::UnsupportedProtocol`], after it is counted and its
    /// URL became the effective URL, as in libcurl.
    pub fn redirect_protocols(&mut self, allowed: Schemes) -> &mut Self {
        self.inner.extras_mut().redirect_protocols = allowed;
        self
    }

    /// Which redirects keep a POST (libcurl's `CURLOPT_POSTREDIR`); see
    /// [`KeepPost`].
    pub fn keep_post(&mut self, keep: KeepPost) -> &mut Self {
        self.inner.extras_mut().keep_post = keep;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_their_schemes() {
        assert!(Schemes::ALL.allows(false) && Schemes::ALL.allows(true));
        assert!(!Schemes::NONE.allows(false) && !Schemes::NONE.allows(true));
        assert!(Schemes::HTTP.allows(false) && !Schemes::HTTP.allows(true));
        assert_eq!(Schemes::HTTP | Schemes::HTTPS, Schemes::ALL);
    }

    #[test]
    fn posts_become_gets_unless_kept() {
        let none = KeepPost::default();
        assert!(!none.keeps(301) && !none.keeps(302) && !none.keeps(303));
        assert!(none.keeps(307) && none.keeps(308) && none.keeps(300));
        let only_302 = KeepPost {
            on_302: true,
            ..KeepPost::default()
        };
        assert!(!only_302.keeps(301) && only_302.keeps(302) && !only_302.keeps(303));
    }
}
