//! What an output path is, and so how a body may be written to it without
//! harming it: standard output, in place, or a temporary file renamed over
//! it.
//!
//! Renaming over a path replaces whatever it named. That is only harmless
//! for a regular file of ours with no other name: a rename over
//! `/dev/null`, a FIFO, a symlink or a file shared through a hard link would
//! replace the device, the pipe, the link or break the sharing. Those are
//! written in place, as curl writes every output: opened for writing and
//! streamed into.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// How a body reaches its output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The path means standard output (`-`, `/dev/stdout`).
    Stdout,
    /// Written into the file the path names now (a device, a FIFO, a
    /// socket, a symlink's target, a file that is not ours alone).
    InPlace,
    /// A regular file of ours with one name, or nothing yet: the body goes
    /// to a temporary file beside it, renamed over it once complete.
    Replace,
}

/// Whether `path` means standard output (no look at the file system).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-" || path.as_os_str() == "/dev/stdout"
}

/// The placement for `path`, as it is now.
pub fn placement(path: &Path) -> Placement {
    if is_stdout(path) {
        return Placement::Stdout;
    }
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Placement::Replace,
        // Cannot tell (a directory we may not search, …): the open in
        // place reports it, and nothing beside the path is touched.
        Err(_) => Placement::InPlace,
        Ok(meta) if replaceable(&meta) => Placement::Replace,
        Ok(_) => Placement::InPlace,
    }
}

/// A regular file (not a symlink) owned by this process's user, with no
/// other hard link: replacing it loses nothing but its contents.
pub fn replaceable(meta: &std::fs::Metadata) -> bool {
    // SAFETY: geteuid(2) has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    meta.file_type().is_file() && meta.uid() == uid && meta.nlink() == 1
}

/// A body written into its path as it arrives. The file is opened at the
/// first byte (as curl opens its output), so a transfer that fails before
/// its body (`-f` on an error status, a refused connection) does not touch
/// the path; a body that succeeds empty opens it at the end.
#[derive(Debug)]
pub struct InPlaceFile {
    path: PathBuf,
    file: Option<File>,
    /// Appended to (`-C`), not truncated.
    append: bool,
}

impl InPlaceFile {
    /// A body for `path`; nothing is opened yet.
    pub fn new(path: &Path) -> InPlaceFile {
        InPlaceFile {
            path: path.to_path_buf(),
            file: None,
            append: false,
        }
    }

    /// A body appended to what `path` holds (a resumed download).
    pub fn appending(path: &Path) -> InPlaceFile {
        InPlaceFile {
            append: true,
            ..InPlaceFile::new(path)
        }
    }

    /// Opens the path for writing, creating it if it is missing (a
    /// dangling symlink's target), truncating a regular file; it follows
    /// symlinks. A FIFO's open waits for its reader, as curl's does.
    fn open(&mut self) -> io::Result<&mut File> {
        if self.file.is_none() {
            let file = loop {
                match OpenOptions::new()
                    .write(true)
                    .append(self.append)
                    .create(true)
                    .truncate(!self.append)
                    .open(&self.path)
                {
                    Ok(file) => break file,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted && !stopping() => {}
                    Err(e) => return Err(e),
                }
            };
            self.file = Some(file);
        }
        Ok(self.file.as_mut().expect("just opened"))
    }

    /// Writes `data` whole. A stopping signal ends a blocked write (a FIFO
    /// whose reader does not read) with an error instead of a retry.
    pub fn write(&mut self, mut data: &[u8]) -> io::Result<()> {
        let file = self.open()?;
        while !data.is_empty() {
            match file.write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted && !stopping() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Ends the body: an empty one still creates (or truncates) its file.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        self.open()?;
        Ok(self.path)
    }
}

/// Whether the run is being stopped by a signal.
fn stopping() -> bool {
    crate::signals::received().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn dir() -> PathBuf {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("starling-destination-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn special_paths_are_written_in_place() {
        assert_eq!(placement(Path::new("-")), Placement::Stdout);
        assert_eq!(placement(Path::new("/dev/stdout")), Placement::Stdout);
        assert_eq!(placement(Path::new("/dev/null")), Placement::InPlace);
        assert_eq!(placement(Path::new("/dev/full")), Placement::InPlace);
        assert_eq!(placement(Path::new("/dev/stderr")), Placement::InPlace);
        assert_eq!(placement(Path::new("/")), Placement::InPlace);
    }

    #[test]
    fn own_regular_files_and_new_names_are_replaced() {
        let d = dir();
        assert_eq!(placement(&d.join("new")), Placement::Replace);
        std::fs::write(d.join("mine"), b"x").unwrap();
        assert_eq!(placement(&d.join("mine")), Placement::Replace);
        std::fs::hard_link(d.join("mine"), d.join("twin")).unwrap();
        assert_eq!(placement(&d.join("mine")), Placement::InPlace);
        symlink(d.join("elsewhere"), d.join("link")).unwrap();
        assert_eq!(placement(&d.join("link")), Placement::InPlace);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn in_place_writes_through_a_symlink_and_keeps_it() {
        let d = dir();
        std::fs::write(d.join("target"), b"old contents").unwrap();
        symlink("target", d.join("link")).unwrap();
        let mut out = InPlaceFile::new(&d.join("link"));
        out.write(b"new").unwrap();
        out.finish().unwrap();
        assert_eq!(std::fs::read(d.join("target")).unwrap(), b"new");
        assert!(std::fs::symlink_metadata(d.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_empty_body_still_makes_its_file() {
        let d = dir();
        InPlaceFile::new(&d.join("empty")).finish().unwrap();
        assert_eq!(std::fs::read(d.join("empty")).unwrap(), b"");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dev_full_reports_no_space() {
        let mut out = InPlaceFile::new(Path::new("/dev/full"));
        let e = out.write(b"x").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
    }
}
