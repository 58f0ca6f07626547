//! The TLS versions a configuration offers, from a handle's range: rustls
//! speaks TLS 1.2 and 1.3, so a minimum below 1.2 means 1.2 and a maximum
//! below 1.2 cannot be met.

use rustls::version::{TLS12, TLS13};
use rustls::SupportedProtocolVersion;

use crate::easy::{TlsVersion, TlsVersions};
use crate::error::{Error, ErrorKind};

static BOTH: [&SupportedProtocolVersion; 2] = [&TLS13, &TLS12];
static ONLY_12: [&SupportedProtocolVersion; 1] = [&TLS12];
static ONLY_13: [&SupportedProtocolVersion; 1] = [&TLS13];

/// Why a range cannot be offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unmet {
    /// The maximum is below the minimum.
    Empty,
    /// Only versions rustls does not speak are allowed.
    TooOld,
}

/// The versions rustls offers for `range`.
pub(super) fn offered(range: TlsVersions) -> Result<&'static [&'static SupportedProtocolVersion], Unmet> {
    if let (Some(min), Some(max)) = (range.min, range.max) {
        if max < min {
            return Err(Unmet::Empty);
        }
    }
    match (range.min, range.max) {
        (_, Some(max)) if max < TlsVersion::Tls1_2 => Err(Unmet::TooOld),
        (Some(TlsVersion::Tls1_3), _) => Ok(&ONLY_13),
        (_, Some(TlsVersion::Tls1_2)) => Ok(&ONLY_12),
        _ => Ok(&BOTH),
    }
}

/// The engine error for a range that cannot be offered: the handshake
/// never starts (libcurl's CURLE_SSL_CONNECT_ERROR).
pub(super) fn unmet(why: Unmet) -> Error {
    let message = match why {
        Unmet::Empty => "the highest TLS version allowed is below the lowest",
        Unmet::TooOld => "only TLS versions below 1.2 are allowed, and Starling speaks TLS 1.2 and 1.3",
    };
    Error::new(ErrorKind::SslConnect, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TlsVersion::*;

    fn range(min: Option<TlsVersion>, max: Option<TlsVersion>) -> Result<Vec<u16>, Unmet> {
        offered(TlsVersions { min, max })
            .map(|versions| versions.iter().map(|v| u16::from(v.version)).collect())
    }

    #[test]
    fn each_range_maps_to_what_rustls_can_offer() {
        const V12: u16 = 0x0303;
        const V13: u16 = 0x0304;
        let cases = [
            (None, None, Ok(vec![V13, V12])),
            (Some(Tls1_0), None, Ok(vec![V13, V12])),
            (Some(Tls1_1), None, Ok(vec![V13, V12])),
            (Some(Tls1_2), None, Ok(vec![V13, V12])),
            (Some(Tls1_3), None, Ok(vec![V13])),
            (None, Some(Tls1_3), Ok(vec![V13, V12])),
            (None, Some(Tls1_2), Ok(vec![V12])),
            (Some(Tls1_0), Some(Tls1_2), Ok(vec![V12])),
            (Some(Tls1_2), Some(Tls1_2), Ok(vec![V12])),
            (Some(Tls1_3), Some(Tls1_3), Ok(vec![V13])),
            (Some(Tls1_2), Some(Tls1_3), Ok(vec![V13, V12])),
            (None, Some(Tls1_1), Err(Unmet::TooOld)),
            (None, Some(Tls1_0), Err(Unmet::TooOld)),
            (Some(Tls1_0), Some(Tls1_1), Err(Unmet::TooOld)),
            (Some(Tls1_3), Some(Tls1_2), Err(Unmet::Empty)),
            (Some(Tls1_2), Some(Tls1_0), Err(Unmet::Empty)),
        ];
        for (min, max, expected) in cases {
            assert_eq!(range(min, max), expected, "{min:?}..{max:?}");
        }
        assert_eq!(unmet(Unmet::Empty).kind(), ErrorKind::SslConnect);
        assert_eq!(unmet(Unmet::TooOld).kind(), ErrorKind::SslConnect);
    }
}
