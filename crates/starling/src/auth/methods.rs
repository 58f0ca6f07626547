//! The set of authentication methods a side allows or offers, as
//! libcurl's `CURLAUTH_*` bits.

/// A set of HTTP authentication methods, bit for bit libcurl's
/// `CURLAUTH_*` values (so `CURLOPT_HTTPAUTH`'s argument is one of these).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AuthMethods(u32);

impl AuthMethods {
    /// None: credentials are never sent.
    pub const NONE: AuthMethods = AuthMethods(0);
    /// Basic (RFC 7617): the password in the clear (base64).
    pub const BASIC: AuthMethods = AuthMethods(1);
    /// Digest (RFC 7616): MD5, SHA-256 or SHA-512/256, with or without qop.
    pub const DIGEST: AuthMethods = AuthMethods(1 << 1);
    /// SPNEGO (Kerberos): not built in.
    pub const NEGOTIATE: AuthMethods = AuthMethods(1 << 2);
    /// NTLM: not built in.
    pub const NTLM: AuthMethods = AuthMethods(1 << 3);
    /// Digest whose `uri` leaves out the query, as old Internet Explorers
    /// sent it.
    pub const DIGEST_IE: AuthMethods = AuthMethods(1 << 4);
    /// NTLM through winbind: not built in.
    pub const NTLM_WB: AuthMethods = AuthMethods(1 << 5);
    /// A bearer token (RFC 6750), sent as it is.
    pub const BEARER: AuthMethods = AuthMethods(1 << 6);
    /// AWS Signature Version 4: not built in.
    pub const AWS_SIGV4: AuthMethods = AuthMethods(1 << 7);
    /// With one method: send no credentials until a challenge asks for
    /// them (libcurl's `CURLAUTH_ONLY`).
    pub const ONLY: AuthMethods = AuthMethods(1 << 31);
    /// Every method; the server's challenge decides (`CURLAUTH_ANY`).
    pub const ANY: AuthMethods = AuthMethods(!(1 << 4));
    /// Every method but Basic (`CURLAUTH_ANYSAFE`).
    pub const ANYSAFE: AuthMethods = AuthMethods(!((1 << 4) | 1));

    /// The methods Starling speaks.
    const BUILT_IN: AuthMethods = AuthMethods(1 | (1 << 1) | (1 << 6) | (1 << 31));

    /// The set of these bits.
    pub const fn from_bits(bits: u32) -> AuthMethods {
        AuthMethods(bits)
    }

    /// The bits, libcurl's values.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every method of `other` is in this set.
    pub const fn contains(self, other: AuthMethods) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no method is in the set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set as libcurl keeps it when it is set (`CURLOPT_HTTPAUTH`):
    /// `DIGEST_IE` turned into `DIGEST` (and whether it was there), the
    /// methods not built in taken out. `None` when no method is left but
    /// `ONLY`: libcurl's `CURLE_NOT_BUILT_IN`.
    pub(crate) fn as_set(self) -> Option<(AuthMethods, bool)> {
        if self.is_empty() {
            return Some((self, false));
        }
        let ie = self.contains(Self::DIGEST_IE);
        let mut bits = self.0;
        if ie {
            bits = (bits | Self::DIGEST.0) & !Self::DIGEST_IE.0;
        }
        bits &= Self::BUILT_IN.0;
        (bits & !Self::ONLY.0 != 0).then_some((AuthMethods(bits), ie))
    }
}

impl std::ops::BitOr for AuthMethods {
    type Output = AuthMethods;
    fn bitor(self, other: AuthMethods) -> AuthMethods {
        AuthMethods(self.0 | other.0)
    }
}

impl std::ops::BitAnd for AuthMethods {
    type Output = AuthMethods;
    fn bitand(self, other: AuthMethods) -> AuthMethods {
        AuthMethods(self.0 & other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_as_libcurl_keeps_it() {
        let m = AuthMethods::from_bits;
        assert_eq!(AuthMethods::ANY.as_set(), Some((m(1 | 2 | 64 | 1 << 31), false)));
        assert_eq!(AuthMethods::ANYSAFE.as_set(), Some((m(2 | 64 | 1 << 31), false)));
        assert_eq!(AuthMethods::DIGEST_IE.as_set(), Some((AuthMethods::DIGEST, true)));
        assert_eq!(AuthMethods::NONE.as_set(), Some((AuthMethods::NONE, false)));
        assert_eq!(AuthMethods::NTLM.as_set(), None);
        assert_eq!((AuthMethods::NTLM | AuthMethods::ONLY).as_set(), None);
        assert_eq!(
            (AuthMethods::BASIC | AuthMethods::ONLY).as_set(),
            Some((AuthMethods::BASIC | AuthMethods::ONLY, false))
        );
    }
}
