//! Ready-made event loops for programs that do not bring their own.

mod blocking;

pub use blocking::{perform_one, Blocking};
