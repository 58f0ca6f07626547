//! Where a response body goes, safely: the `-O` name taken from a URL, the
//! path it lands at under `--output-dir`, and the temporary file it is
//! written to until the transfer has succeeded.
//!
//! `target` holds the name and the path, `part` the file being written.

mod part;
mod target;
#[cfg(test)]
mod test_dir;

pub(crate) use part::PartFile;
pub(crate) use target::{remote_name, target_path};
