//! A rendered write-out: its pieces of text, each with where it goes,
//! and the writing of them.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

/// Where a piece of the output goes: `%{stdout}`, `%{stderr}` and
/// `%output{FILE}` / `%output{>>FILE}` switch it for the rest of the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, where the output starts.
    Stdout,
    /// Standard error.
    Stderr,
    /// A file, created (emptied) or, with `append`, appended to.
    File { path: PathBuf, append: bool },
}

/// One transfer's write-out, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The text in order, each piece with the destination the format had
    /// switched to before it. A switch starts a new piece, even an empty
    /// one, so that `%output{FILE}` creates FILE as curl does.
    pub pieces: Vec<(Destination, String)>,
    /// One warning per unknown variable, without a program-name prefix.
    pub warnings: Vec<String>,
}

impl Rendered {
    /// All the text, wherever it goes.
    #[cfg(test)]
    pub(super) fn text(&self) -> String {
        self.pieces.iter().map(|(_, text)| text.as_str()).collect()
    }

    /// Writes every piece where it goes. A file that cannot be opened
    /// leaves the output where it was and a file that cannot be written is
    /// skipped, as curl's write-out never changes a transfer's outcome;
    /// only a failing stdout (a closed pipe) is an error.
    pub fn write(&self) -> io::Result<()> {
        let mut file: Option<File> = None;
        let mut on_stderr = false;
        for (destination, text) in &self.pieces {
            match destination {
                Destination::Stdout | Destination::Stderr => {
                    file = None;
                    on_stderr = *destination == Destination::Stderr;
                }
                Destination::File { path, append } => {
                    let opened = OpenOptions::new()
                        .write(true)
                        .create(true)
                        .append(*append)
                        .truncate(!*append)
                        .open(path);
                    if let Ok(opened) = opened {
                        file = Some(opened);
                    }
                }
            }
            if text.is_empty() {
                continue;
            }
            match file.as_mut() {
                Some(file) => drop(file.write_all(text.as_bytes())),
                None if on_stderr => drop(io::stderr().lock().write_all(text.as_bytes())),
                None => io::stdout().lock().write_all(text.as_bytes())?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::writeout::fixtures::sample;
    use crate::writeout::render;

    #[test]
    fn output_files_are_written_created_and_appended() {
        let dir = std::env::temp_dir().join(format!("starling-writeout-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("log.txt");
        std::fs::write(&log, "before\n").unwrap();
        let new = dir.join("new.txt");
        std::fs::write(&new, "old contents\n").unwrap();
        let format = format!(
            "%output{{>>{}}}code %{{http_code}}\\n%output{{{}}}fresh\\n%output{{{}}}still fresh\\n",
            log.display(),
            new.display(),
            dir.join("no/such/dir/x.txt").display()
        );
        render(&format, &sample()).write().unwrap();
        let appended = std::fs::read_to_string(&log);
        let replaced = std::fs::read_to_string(&new);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(appended.unwrap(), "before\ncode 404\n");
        // A file that cannot be created leaves the output where it was.
        assert_eq!(replaced.unwrap(), "fresh\nstill fresh\n");
    }
}
