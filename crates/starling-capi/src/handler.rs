//! The engine's [`Handler`] for a C handle: calls the C callbacks set
//! with `curl_easy_setopt`.

use std::ffi::{c_char, c_void};

use starling::{Flow, Handler, StatusCode, Version};

/// `curl_write_callback`.
pub type WriteFn = unsafe extern "C" fn(*mut c_char, usize, usize, *mut c_void) -> usize;

/// libcurl's `CURL_WRITEFUNC_PAUSE`.
const WRITEFUNC_PAUSE: usize = 0x1000_0001;

/// The C callbacks of one handle.
pub struct CHandler {
    pub write: Option<WriteFn>,
    pub write_data: *mut c_void,
    pub header: Option<WriteFn>,
    pub header_data: *mut c_void,
}

impl Default for CHandler {
    fn default() -> Self {
        CHandler {
            write: None,
            write_data: std::ptr::null_mut(),
            header: None,
            header_data: std::ptr::null_mut(),
        }
    }
}

impl CHandler {
    /// Gives `data` to a write-style callback; libcurl's rules for the
    /// answer: all taken, pause, or anything else aborts.
    fn call(f: WriteFn, data: &[u8], user: *mut c_void) -> Flow {
        // SAFETY: the program set `f` as a curl_write_callback; it reads
        // `data.len()` bytes from the pointer during the call only.
        let taken = unsafe { f(data.as_ptr() as *mut c_char, 1, data.len(), user) };
        match taken {
            n if n == data.len() => Flow::Continue,
            WRITEFUNC_PAUSE => Flow::Pause,
            _ => Flow::Abort,
        }
    }

    /// Without a write function libcurl writes to the `FILE *` given as
    /// WRITEDATA, or to stdout.
    fn default_write(&self, data: &[u8]) -> Flow {
        let written = if self.write_data.is_null() {
            // SAFETY: writing a valid buffer to file descriptor 1.
            let n = unsafe { libc::write(1, data.as_ptr().cast(), data.len()) };
            n.max(0) as usize
        } else {
            // SAFETY: libcurl's contract: WRITEDATA without a write function
            // is a `FILE *` opened for writing.
            unsafe { libc::fwrite(data.as_ptr().cast(), 1, data.len(), self.write_data.cast()) }
        };
        if written == data.len() {
            Flow::Continue
        } else {
            Flow::Abort
        }
    }
}

impl Handler for CHandler {
    fn status(&mut self, status: StatusCode, version: Version) -> Flow {
        let Some(f) = self.header else {
            return Flow::Continue;
        };
        let version = if version == Version::HTTP_10 { "1.0" } else { "1.1" };
        let line = format!(
            "HTTP/{version} {} {}\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        );
        match Self::call(f, line.as_bytes(), self.header_data) {
            Flow::Pause => Flow::Continue,
            other => other,
        }
    }

    fn header(&mut self, name: &str, value: &[u8]) -> Flow {
        let Some(f) = self.header else {
            return Flow::Continue;
        };
        let mut line = Vec::with_capacity(name.len() + value.len() + 4);
        line.extend_from_slice(name.as_bytes());
        line.extend_from_slice(b": ");
        line.extend_from_slice(value);
        line.extend_from_slice(b"\r\n");
        match Self::call(f, &line, self.header_data) {
            Flow::Pause => Flow::Continue,
            other => other,
        }
    }

    fn write(&mut self, data: &[u8]) -> Flow {
        match self.write {
            Some(f) => Self::call(f, data, self.write_data),
            None => self.default_write(data),
        }
    }
}
