//! The caches libcurl keeps in files (HSTS, alternative services): the
//! cache, made when an option turns it on, the file it is read from when
//! named and written to at cleanup unless the option's read-only bit is
//! set.

use std::sync::{Arc, Mutex};

use starling::alt_svc::AltSvc;
use starling::hsts::{wall_now, Hsts};

/// A cache with libcurl's file format.
pub(super) trait FileFormat: Default {
    /// Adds the entries of a file's text.
    fn read(&mut self, text: &str);
    /// The whole cache as a file's text.
    fn write(&self) -> String;
}

impl FileFormat for Hsts {
    fn read(&mut self, text: &str) {
        self.load(text, wall_now());
    }
    fn write(&self) -> String {
        self.save()
    }
}

impl FileFormat for AltSvc {
    fn read(&mut self, text: &str) {
        self.load(text);
    }
    fn write(&self) -> String {
        self.save()
    }
}

/// A handle's cache of one kind and its file.
#[derive(Clone)]
pub(super) struct CacheFile<T> {
    pub(super) cache: Option<Arc<Mutex<T>>>,
    pub(super) file: Option<String>,
    pub(super) read_only: bool,
}

impl<T> Default for CacheFile<T> {
    fn default() -> Self {
        CacheFile {
            cache: None,
            file: None,
            read_only: false,
        }
    }
}

impl<T: FileFormat> CacheFile<T> {
    /// The cache, made when there is none.
    pub(super) fn cache(&mut self) -> Arc<Mutex<T>> {
        Arc::clone(self.cache.get_or_insert_with(Arc::default))
    }

    /// Adds the entries of `file` (if it can be read: libcurl goes on
    /// without it) to the cache.
    pub(super) fn load(&mut self, file: &str) {
        let Ok(text) = std::fs::read_to_string(file) else {
            return;
        };
        if let Ok(mut cache) = self.cache().lock() {
            cache.read(&text);
        }
    }

    /// Writes the cache to its file, as libcurl's cleanup does (through a
    /// file beside it, renamed over it; a failure is not reported, as in
    /// libcurl).
    pub(super) fn save(&self) {
        let (Some(cache), Some(file), false) = (&self.cache, &self.file, self.read_only) else {
            return;
        };
        if file.is_empty() {
            return;
        }
        let Ok(text) = cache.lock().map(|c| c.write()) else {
            return;
        };
        let temp = format!("{file}.starling-tmp");
        if std::fs::write(&temp, text).is_ok() && std::fs::rename(&temp, file).is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }
}
