//! The file a body is written to until its transfer has succeeded, so
//! that no half-written body is ever seen under its final name.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::destination::{placement, InPlaceFile, Placement};

/// Tells apart the temporary files of one process.
static PART_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Longest piece of the final name kept in the temporary one, in bytes, so
/// the temporary name stays under the usual 255-byte file name limit.
const PART_NAME_MAX: usize = 200;

/// Size of the write buffer: bodies arrive in many small pieces.
const PART_BUFFER: usize = 64 * 1024;

/// Pieces this large go to the file as they are, without a copy into the
/// buffer (a large download arrives in reads of up to 64 KiB; a copy of
/// each would cost a tenth of the CPU of saving it).
const DIRECT_WRITE: usize = 16 * 1024;

/// A body on its way to a file, never visible under its final name before
/// it is complete.
///
/// A body that fits in [`PART_BUFFER`] (most do) stays in memory and is
/// written to its final name in one go by [`PartFile::commit`]: one file
/// creation, as curl does, and no rename. A larger one goes to a temporary
/// file next to the final one, renamed by the commit. An abort, a failed
/// transfer or an interrupted run (the value dropped) removes the temporary
/// file, so no half-written body is left under the final name.
///
/// The rename is only for paths where it harms nothing (see
/// [`placement`]), decided when the body outgrows memory: nothing there
/// yet, or a regular file of ours with one name, whose permissions the new
/// file keeps. Anything else (a device, a FIFO, a symlink, …) is written in
/// place from then on; a small body is written in place at the commit. Should
/// the path have become something else by the rename, the body is copied
/// into it instead of renamed over it.
#[derive(Debug)]
pub struct PartFile {
    /// The body while it fits in memory.
    held: Vec<u8>,
    /// The temporary file, once the body outgrew the memory buffer.
    /// (`held` then buffers small pieces for it.)
    file: Option<File>,
    /// The temporary file's path (empty while there is none).
    temp: PathBuf,
    /// Where the body ends up.
    final_path: PathBuf,
    /// The body is written into the final path itself, which a rename
    /// would harm (a device, a FIFO, a symlink, …), found when the body
    /// outgrew memory.
    direct: Option<InPlaceFile>,
}

impl PartFile {
    /// A body to be saved at `final_path` (nothing is created yet).
    pub fn create(final_path: &Path) -> io::Result<PartFile> {
        if final_path.file_name().is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", final_path.display()),
            ));
        }
        Ok(PartFile {
            held: Vec::new(),
            file: None,
            temp: PathBuf::new(),
            final_path: final_path.to_path_buf(),
            direct: None,
        })
    }

    /// Appends `data` to the body.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        if let Some(direct) = self.direct.as_mut() {
            return direct.write(data);
        }
        if self.file.is_none() {
            if self.held.len() + data.len() <= PART_BUFFER {
                self.held.extend_from_slice(data);
                return Ok(());
            }
            // Only now is the path looked at (most bodies never get here,
            // and a stat per file is measurable at 100,000 files).
            if placement(&self.final_path) != Placement::Replace {
                let mut direct = InPlaceFile::new(&self.final_path);
                direct.write(&std::mem::take(&mut self.held))?;
                direct.write(data)?;
                self.direct = Some(direct);
                return Ok(());
            }
            self.file = Some(self.open_temp()?);
        }
        if data.len() >= DIRECT_WRITE || self.held.len() + data.len() > PART_BUFFER {
            self.flush_held()?;
        }
        if data.len() >= DIRECT_WRITE {
            return self.file.as_mut().expect("opened above").write_all(data);
        }
        self.held.extend_from_slice(data);
        Ok(())
    }

    /// Writes the buffered pieces to the temporary file.
    fn flush_held(&mut self) -> io::Result<()> {
        if let (Some(file), false) = (self.file.as_mut(), self.held.is_empty()) {
            file.write_all(&self.held)?;
            self.held.clear();
        }
        Ok(())
    }

    /// Creates a fresh temporary file in the final path's directory.
    fn open_temp(&mut self) -> io::Result<File> {
        // Only the temporary name is lossy; the final one is kept exactly.
        let name = self.final_path.file_name().expect("checked").to_string_lossy();
        let stem = truncate_name(&name, PART_NAME_MAX);
        let dir = self.final_path.parent().unwrap_or(Path::new(""));
        let pid = std::process::id();
        // A stale part file of an earlier process with the same pid may be
        // in the way; `create_new` refuses it and the next counter is tried.
        let mut attempts = 0;
        loop {
            let n = PART_COUNTER.fetch_add(1, Ordering::Relaxed);
            let mut temp_name = OsString::from(".");
            temp_name.push(stem);
            temp_name.push(format!(".starling-part-{pid}-{n}"));
            let temp = dir.join(temp_name);
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(file) => {
                    self.temp = temp;
                    // The file it replaces keeps its permissions, as it
                    // would if it were written in place.
                    if let Ok(meta) = std::fs::symlink_metadata(&self.final_path) {
                        if meta.file_type().is_file() {
                            file.set_permissions(meta.permissions())?;
                        }
                    }
                    return Ok(file);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                    attempts += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Saves the body under its final name, which it returns.
    ///
    /// On failure nothing is left: neither the temporary file nor a
    /// partial final one.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        if let Some(direct) = self.direct.take() {
            return direct.finish();
        }
        let Some(file) = self.file.take() else {
            // A new file is ours to remove if the write fails; anything
            // already there (a device, a FIFO, a symlink's target, a file)
            // is written in place, as curl writes it, and never removed.
            let (created, opened) = match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&self.final_path)
            {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => (
                    false,
                    OpenOptions::new()
                        .write(true)
                        .truncate(true)
                        .open(&self.final_path),
                ),
                other => (true, other),
            };
            if let Err(e) = opened.and_then(|mut f| f.write_all(&self.held)) {
                if created {
                    let _ = std::fs::remove_file(&self.final_path);
                }
                return Err(e);
            }
            return Ok(std::mem::take(&mut self.final_path));
        };
        self.file = Some(file);
        self.flush_held()?;
        // Closed before the rename: some systems refuse to rename open files.
        drop(self.file.take());
        let replaceable = match std::fs::symlink_metadata(&self.final_path) {
            Err(e) => e.kind() == io::ErrorKind::NotFound,
            Ok(meta) => crate::destination::replaceable(&meta),
        };
        if !replaceable {
            // Something a rename would destroy took the path meanwhile.
            let mut out = InPlaceFile::new(&self.final_path);
            let mut temp = File::open(&self.temp)?;
            let mut chunk = vec![0; PART_BUFFER];
            loop {
                match io::Read::read(&mut temp, &mut chunk)? {
                    0 => return out.finish(),
                    n => out.write(&chunk[..n])?,
                }
            }
        }
        // On failure `Drop` removes the temporary file.
        std::fs::rename(&self.temp, &self.final_path)?;
        // Nothing is left for `Drop` to remove.
        self.temp = PathBuf::new();
        Ok(std::mem::take(&mut self.final_path))
    }

    /// Gives up the body, removing the temporary file.
    pub fn abort(self) {
        drop(self);
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        // Closed before removal for systems that cannot unlink open files.
        drop(self.file.take());
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// At most `max` bytes of `name`, cut on a character boundary.
fn truncate_name(name: &str, max: usize) -> &str {
    if name.len() <= max {
        return name;
    }
    let mut end = max;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_dir::{entries, TempDir};

    #[test]
    fn a_small_body_is_written_at_the_commit_only() {
        let tmp = TempDir::new();
        let target = tmp.0.join("body.bin");
        let mut part = PartFile::create(&target).unwrap();
        part.write(b"hello ").unwrap();
        part.write(b"world").unwrap();
        assert!(entries(&tmp.0).is_empty(), "no file before the commit");
        assert_eq!(part.commit().unwrap(), target);
        assert_eq!(std::fs::read(&target).unwrap(), b"hello world");
        assert_eq!(entries(&tmp.0), ["body.bin"]);
    }

    #[test]
    fn a_large_body_goes_through_a_temporary_file() {
        let tmp = TempDir::new();
        let target = tmp.0.join("body.bin");
        let mut part = PartFile::create(&target).unwrap();
        let body: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        part.write(&body[..40_000]).unwrap();
        part.write(&body[40_000..]).unwrap();
        assert!(!target.exists());
        let names = entries(&tmp.0);
        assert_eq!(names.len(), 1);
        let expected = format!(".body.bin.starling-part-{}-", std::process::id());
        assert!(names[0].starts_with(&expected), "{names:?}");

        assert_eq!(part.commit().unwrap(), target);
        assert_eq!(std::fs::read(&target).unwrap(), body);
        assert_eq!(entries(&tmp.0), ["body.bin"]);
    }

    #[test]
    fn small_and_large_pieces_keep_their_order() {
        let tmp = TempDir::new();
        let target = tmp.0.join("mixed.bin");
        let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut part = PartFile::create(&target).unwrap();
        let mut at = 0;
        for (n, size) in [1_000, 70_000, 500, 20_000, 3, 65_536, 16_384, 16_383]
            .iter()
            .cycle()
            .enumerate()
        {
            if at == body.len() || n > 1_000 {
                break;
            }
            let end = (at + size).min(body.len());
            part.write(&body[at..end]).unwrap();
            at = end;
        }
        part.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), body);
    }

    #[test]
    fn part_file_commit_replaces_an_existing_file() {
        let tmp = TempDir::new();
        let target = tmp.0.join("f");
        std::fs::write(&target, b"old").unwrap();
        let mut part = PartFile::create(&target).unwrap();
        part.write(b"new").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
        part.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert_eq!(entries(&tmp.0), ["f"]);
    }

    #[test]
    fn part_file_abort_and_drop_remove_the_temp_file() {
        let tmp = TempDir::new();
        let target = tmp.0.join("f");
        let mut part = PartFile::create(&target).unwrap();
        part.write(&[7; 100_000]).unwrap();
        part.abort();
        assert!(entries(&tmp.0).is_empty());

        let mut part = PartFile::create(&target).unwrap();
        part.write(b"partial").unwrap();
        drop(part);
        assert!(entries(&tmp.0).is_empty());
        assert!(!target.exists());
    }

    #[test]
    fn part_files_for_one_target_do_not_collide() {
        let tmp = TempDir::new();
        let target = tmp.0.join("f");
        let mut a = PartFile::create(&target).unwrap();
        let mut b = PartFile::create(&target).unwrap();
        a.write(&[1; 70_000]).unwrap();
        b.write(&[2; 70_000]).unwrap();
        assert_eq!(entries(&tmp.0).len(), 2);
        drop((a, b));
        assert!(entries(&tmp.0).is_empty());
    }

    #[test]
    fn part_file_failed_commit_leaves_nothing() {
        let tmp = TempDir::new();
        // A non-empty directory at the final path makes the rename fail.
        let target = tmp.0.join("d");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inner"), b"x").unwrap();
        let mut part = PartFile::create(&target).unwrap();
        part.write(b"x").unwrap();
        assert!(part.commit().is_err());
        assert_eq!(entries(&tmp.0), ["d"]);
    }

    #[test]
    fn part_file_shortens_long_names() {
        let tmp = TempDir::new();
        let target = tmp.0.join("é".repeat(120));
        let mut part = PartFile::create(&target).unwrap();
        part.write(b"x").unwrap();
        assert_eq!(part.commit().unwrap(), target);
        assert!(target.exists());
    }

    #[test]
    fn part_file_needs_a_file_name() {
        assert!(PartFile::create(Path::new("/")).is_err());
        assert!(PartFile::create(Path::new("a/..")).is_err());
    }
}
