//! Ready-made event loops for programs that do not bring their own: a
//! blocking one on mio ([`Blocking`], [`perform_one`]) and, with the
//! `tokio` feature, one on tokio's reactor ([`tokio::Driver`]).

mod blocking;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use blocking::{perform_one, Blocking};

use crate::error::{Error, ErrorKind};

/// A transfer's result from a driver's run: the loop's failure, else the
/// message the transfer ended with (every transfer ends with one).
fn outcome(run: std::io::Result<()>, result: Option<Result<(), Error>>) -> Result<(), Error> {
    match (run, result) {
        (Err(e), _) => Err(Error::new(
            ErrorKind::RecvError,
            format!("event loop failed: {e}"),
        )),
        (Ok(()), Some(r)) => r,
        (Ok(()), None) => Err(Error::new(
            ErrorKind::RecvError,
            "transfer ended without a result",
        )),
    }
}
