//! The file a body is given: the `-O` name from the URL and the checked
//! path under `--output-dir`, with the errors that refuse them.

use std::fmt;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a body could not be given the file asked for.
#[derive(Debug)]
pub enum OutputError {
    /// `-O` found no safe file name in the URL.
    RemoteName {
        /// The URL the name was to come from.
        url: String,
        /// Why its last path segment is refused.
        reason: &'static str,
    },
    /// A file name would land somewhere it must not.
    UnsafePath {
        /// The name as given.
        path: PathBuf,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The directory the file goes in is missing and `--create-dirs` is off.
    MissingDir {
        /// The missing directory.
        dir: PathBuf,
    },
    /// Something that is not a directory stands where one is needed.
    NotADir {
        /// The offending path.
        dir: PathBuf,
    },
    /// `--create-dirs` failed to make a directory.
    CreateDir {
        /// The directory that could not be made.
        dir: PathBuf,
        /// The underlying failure.
        source: io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::RemoteName { url, reason } => {
                write!(f, "cannot take a file name from {url}: {reason}")
            }
            OutputError::UnsafePath { path, reason } => {
                write!(f, "refusing output file {}: {reason}", path.display())
            }
            OutputError::MissingDir { dir } => {
                write!(f, "directory {} does not exist; use --create-dirs", dir.display())
            }
            OutputError::NotADir { dir } => write!(f, "{} is not a directory", dir.display()),
            OutputError::CreateDir { dir, source } => {
                write!(f, "cannot create directory {}: {source}", dir.display())
            }
        }
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OutputError::CreateDir { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// curl's `-O` name: the URL's last path segment, percent-decoded.
///
/// Bytes that do not decode to UTF-8 become U+FFFD rather than failing the
/// transfer; the name stays a single, harmless path component either way.
pub fn remote_name(url: &url::Url) -> Result<String, OutputError> {
    let refuse = |reason| OutputError::RemoteName {
        url: url.as_str().to_owned(),
        reason,
    };
    // Only the path counts: a query such as `?f=a/b` must not pick the name.
    let raw = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .unwrap_or("");
    if raw.is_empty() {
        return Err(refuse(
            "the URL has no file name (its path is empty or ends in '/')",
        ));
    }
    let name = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    // A decoded separator would let the server choose a directory, e.g.
    // `..%2F..%2Fetc%2Fpasswd`.
    if name.contains(['/', '\\']) {
        return Err(refuse("the decoded file name contains a path separator"));
    }
    if name.contains('\0') {
        return Err(refuse("the decoded file name contains a NUL byte"));
    }
    if name == "." || name == ".." {
        return Err(refuse("the file name is '.' or '..'"));
    }
    Ok(name)
}

/// The path a body is to be written at: `name` under `output_dir`, if any.
///
/// A `remote` name (`-O`) comes from the server, so it must stay inside the
/// output directory (or the current one). A user's `-o` name may go anywhere
/// unless `--output-dir` is set, where, as in curl, the file lands inside it.
/// With `create_dirs` missing parent directories are made. `-o -` (stdout)
/// is the caller's business and never reaches here.
pub fn target_path(
    output_dir: Option<&Path>,
    name: &Path,
    remote: bool,
    create_dirs: bool,
) -> Result<PathBuf, OutputError> {
    let refuse = |reason| OutputError::UnsafePath {
        path: name.to_path_buf(),
        reason,
    };
    if name.as_os_str().is_empty() {
        return Err(refuse("the file name is empty"));
    }
    if remote || output_dir.is_some() {
        for component in name.components() {
            match component {
                Component::Normal(_) | Component::CurDir => {}
                Component::ParentDir => {
                    return Err(refuse("it contains a '..' component"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(refuse("it is an absolute path"));
                }
            }
        }
    }
    // The raw text is checked: `components()` drops a trailing `/` or `/.`,
    // which would turn a directory name (`dir/`) into a file name (`dir`).
    let text = name.as_os_str().to_string_lossy();
    let last = text.rsplit(std::path::is_separator).next().unwrap_or("");
    if last.is_empty() || last == "." || last == ".." {
        return Err(refuse("it names a directory, not a file"));
    }
    let path = match output_dir {
        Some(dir) => dir.join(name),
        None => name.to_path_buf(),
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if create_dirs {
            std::fs::create_dir_all(parent).map_err(|source| OutputError::CreateDir {
                dir: parent.to_path_buf(),
                source,
            })?;
        } else if !VERIFIED_DIR.with(|d| d.borrow().as_deref() == Some(parent)) {
            // Many files go to the same directory: it is checked once, not
            // once per file (a stat per file is measurable at 100,000).
            match std::fs::metadata(parent) {
                Ok(meta) if meta.is_dir() => {
                    VERIFIED_DIR.with(|d| *d.borrow_mut() = Some(parent.to_path_buf()))
                }
                Ok(_) => {
                    return Err(OutputError::NotADir {
                        dir: parent.to_path_buf(),
                    })
                }
                Err(_) => {
                    return Err(OutputError::MissingDir {
                        dir: parent.to_path_buf(),
                    })
                }
            }
        }
    }
    Ok(path)
}

thread_local! {
    /// The directory last found to exist by `target_path`.
    static VERIFIED_DIR: std::cell::RefCell<Option<PathBuf>> = const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_dir::{entries, TempDir};

    /// `remote_name` of a URL string.
    fn remote(url: &str) -> Result<String, OutputError> {
        remote_name(&url::Url::parse(url).unwrap())
    }

    #[test]
    fn remote_name_takes_the_last_segment_decoded() {
        assert_eq!(remote("http://h/a/b/file.tar.gz").unwrap(), "file.tar.gz");
        assert_eq!(remote("http://h/a/my%20file.txt").unwrap(), "my file.txt");
        assert_eq!(remote("http://h/f.txt?x=a/b#c/d").unwrap(), "f.txt");
        assert_eq!(remote("http://h/%C3%A9t%C3%A9").unwrap(), "été");
    }

    #[test]
    fn remote_name_refuses_unsafe_names() {
        for url in [
            "http://h/",
            "http://h",
            "http://h/a/",
            "http://h/a/%2e%2e%2fx",
            "http://h/..%2F..%2Fetc%2Fpasswd",
            "http://h/a%5Cb",
            "http://h/%2Fetc",
            "http://h/a%00b",
            "http://h/a/%2e",
            "http://h/a/%2e%2e",
        ] {
            let err = remote(url).expect_err(url);
            let msg = err.to_string();
            assert!(msg.contains("cannot take a file name from"), "{msg}");
            assert!(msg.contains("http://h"), "{msg}");
        }
    }

    #[test]
    fn remote_name_message_says_why() {
        let msg = remote("http://h/a/%2e%2e%2fx").unwrap_err().to_string();
        assert!(msg.contains("separator"), "{msg}");
        let msg = remote("http://h/").unwrap_err().to_string();
        assert!(msg.contains("no file name"), "{msg}");
    }

    #[test]
    fn target_path_keeps_remote_names_inside() {
        let tmp = TempDir::new();
        let dir = tmp.0.as_path();
        assert_eq!(
            target_path(Some(dir), Path::new("f.txt"), true, false).unwrap(),
            dir.join("f.txt")
        );
        assert_eq!(
            target_path(None, Path::new("f.txt"), true, false).unwrap(),
            PathBuf::from("f.txt")
        );
        for bad in ["../f", "a/../../f", "..", "/etc/passwd", "", ".", "a/.", "a/"] {
            assert!(
                target_path(Some(dir), Path::new(bad), true, true).is_err(),
                "{bad}"
            );
            assert!(target_path(None, Path::new(bad), true, true).is_err(), "{bad}");
        }
        assert!(entries(dir).is_empty());
    }

    #[test]
    fn target_path_with_output_dir_refuses_escapes() {
        let tmp = TempDir::new();
        let dir = tmp.0.as_path();
        let err = target_path(Some(dir), Path::new("../x"), false, true).unwrap_err();
        assert!(err.to_string().contains("'..'"), "{err}");
        let err = target_path(Some(dir), Path::new("a/../../x"), false, true).unwrap_err();
        assert!(matches!(err, OutputError::UnsafePath { .. }));
        let err = target_path(Some(dir), &dir.join("x"), false, true).unwrap_err();
        assert!(err.to_string().contains("absolute"), "{err}");
    }

    #[test]
    fn target_path_lets_o_names_go_anywhere_without_output_dir() {
        let tmp = TempDir::new();
        let abs = tmp.0.join("x.bin");
        assert_eq!(target_path(None, &abs, false, false).unwrap(), abs);
        let sub = tmp.0.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let up = sub.join("..").join("y.bin");
        assert_eq!(target_path(None, &up, false, false).unwrap(), up);
    }

    #[test]
    fn target_path_create_dirs_off_reports_missing_dir() {
        let tmp = TempDir::new();
        let dir = tmp.0.as_path();
        let err = target_path(Some(dir), Path::new("a/b/f"), false, false).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("does not exist; use --create-dirs"), "{msg}");
        assert!(msg.contains(&dir.join("a/b").display().to_string()), "{msg}");
        assert!(!dir.join("a").exists());

        let missing = dir.join("nope");
        let err = target_path(Some(&missing), Path::new("f"), true, false).unwrap_err();
        assert!(matches!(err, OutputError::MissingDir { .. }));

        std::fs::write(dir.join("file"), b"x").unwrap();
        let err = target_path(Some(dir), Path::new("file/f"), false, false).unwrap_err();
        assert!(matches!(err, OutputError::NotADir { .. }), "{err}");
    }

    #[test]
    fn target_path_create_dirs_on_makes_parents() {
        let tmp = TempDir::new();
        let out = tmp.0.join("out");
        let path = target_path(Some(&out), Path::new("a/b/f"), false, true).unwrap();
        assert_eq!(path, out.join("a/b/f"));
        assert!(out.join("a/b").is_dir());
        assert!(!path.exists());

        std::fs::write(tmp.0.join("file"), b"x").unwrap();
        let err = target_path(Some(&tmp.0), Path::new("file/f"), false, true).unwrap_err();
        assert!(matches!(err, OutputError::CreateDir { .. }), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
}
