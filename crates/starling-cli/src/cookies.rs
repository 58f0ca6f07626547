//! The cookie flags (`-b`, `-c`, `-j`) as curl's tool turns them into
//! options: one jar for the whole run, read from `-b`'s file (a `-b`
//! argument with a `=` is a cookie string sent as it is) and written to
//! `-c`'s file when the run ends.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use starling::http1::OptionFields;
use starling::{CookieJar, Easy};

use crate::args::Args;

/// What the cookie flags say.
#[derive(Debug, Default)]
pub struct Cookies {
    /// The run's jar, when `-b FILE` or `-c` turned the engine on.
    jar: Option<Arc<Mutex<CookieJar>>>,
    /// `-b NAME=VALUE…`: sent as it is.
    string: Option<String>,
    /// `-c FILE`.
    out: Option<PathBuf>,
}

impl Cookies {
    /// The flags read; the `-b` file is read now (a missing one adds
    /// nothing, as in curl).
    pub fn from_args(args: &Args) -> Cookies {
        let (string, file) = match args.cookie.as_deref() {
            Some(given) if given.contains('=') => (Some(given.to_owned()), None),
            Some(given) => (None, Some(given)),
            None => (None, None),
        };
        let jar = (file.is_some() || args.cookie_jar.is_some()).then(|| {
            let mut jar = CookieJar::new();
            if let Some(file) = file.filter(|f| !f.is_empty()) {
                jar.load_file(std::path::Path::new(file), args.junk_session_cookies);
            }
            Arc::new(Mutex::new(jar))
        });
        Cookies {
            jar,
            string,
            out: args.cookie_jar.as_ref().map(PathBuf::from),
        }
    }

    /// Sets them on `easy`.
    pub fn apply(&self, easy: &mut Easy) {
        if let Some(jar) = &self.jar {
            easy.cookie_jar(Some(Arc::clone(jar)));
        }
        if let Some(string) = &self.string {
            let mut fields = OptionFields::default();
            if fields.before_own.append("Cookie", string).is_ok() {
                easy.option_fields(fields);
            }
        }
    }

    /// Writes the jar to `-c`'s file, as curl does when its run ends.
    pub fn save(&self) -> Result<(), String> {
        let (Some(jar), Some(out)) = (&self.jar, &self.out) else {
            return Ok(());
        };
        jar.lock()
            .unwrap_or_else(|e| e.into_inner())
            .save_file(out)
            .map_err(|e| format!("-c: cannot write {}: {e}", out.display()))
    }
}
