//! Ready-made event loops for programs that do not bring their own: a
//! blocking one on mio (the default `mio` feature: `Blocking`,
//! `perform_one`) and, with the `tokio` feature, one on tokio's reactor
//! (`tokio::Driver`).

#[cfg(feature = "mio")]
mod blocking;
#[cfg(feature = "tokio")]
pub mod tokio;

#[cfg(feature = "mio")]
pub use blocking::{perform_one, Blocking};

#[cfg(any(feature = "mio", feature = "tokio"))]
use crate::error::{Error, ErrorKind};

/// A transfer's result from a driver's run: the loop's failure, else the
/// message the transfer ended with (every transfer ends with one).
#[cfg(any(feature = "mio", feature = "tokio"))]
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
