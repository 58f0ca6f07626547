//! Credentials as requests carry them.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// The `Authorization` value of Basic authentication (RFC 7617) for `user`
/// and `password`: `Basic ` and the base64 of `user:password`, as bytes
/// (credentials taken from a URL are percent-decoded and need not be
/// UTF-8).
pub fn basic_credentials(user: &[u8], password: &[u8]) -> String {
    let mut plain = Vec::with_capacity(user.len() + 1 + password.len());
    plain.extend_from_slice(user);
    plain.push(b':');
    plain.extend_from_slice(password);
    format!("Basic {}", BASE64.encode(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_password_joined_by_a_colon() {
        assert_eq!(basic_credentials(b"u", b"p"), "Basic dTpw");
        assert_eq!(basic_credentials(b"", b""), "Basic Og==");
        assert_eq!(basic_credentials(b"\xff", b":"), "Basic /zo6");
    }
}
