//! HTTP authentication as libcurl does it: the methods a transfer allows
//! ([`AuthMethods`], libcurl's `CURLAUTH_*` bits), Basic, Digest and
//! Bearer answers, and the negotiation that reads a 401's (or a 407's)
//! challenges, picks the strongest method allowed and asks again.

mod basic;
mod challenge;
mod digest;
mod methods;
mod negotiation;
mod netrc;
mod user_password;

pub use basic::basic_credentials;
pub use methods::AuthMethods;
pub(crate) use negotiation::{AuthSide, Credentials};
pub(crate) use netrc::{lookup as netrc_lookup, NetrcMiss};
pub(crate) use user_password::UserPassword;
