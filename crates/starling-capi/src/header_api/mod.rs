//! libcurl's header API (`include/curl/header.h`): `curl_easy_header` and
//! `curl_easy_nextheader`, answered from the fields the C handle's handler
//! keeps from every head line it gets (`store`), whichever way the
//! transfer runs (easy or multi) and also inside its callbacks.

mod curl_header;
mod store;

use std::cell::RefCell;
use std::rc::Rc;

pub use curl_header::CurlHeader;
pub use store::{Headers, CURLHE_BAD_ARGUMENT, CURLHE_OK};

/// The kept fields of one C handle, shared by the handle (which answers
/// the API) and its handler (which records while the engine holds it).
/// A clone is the same log; `CEasy::retag` gives each handle's handler
/// that handle's log, so a duplicated handle starts with its own, empty.
#[derive(Clone, Default)]
pub struct HeaderLog(Rc<RefCell<Headers>>);

impl HeaderLog {
    /// Keeps what a head line carries (see [`Headers::record`]).
    pub fn record(&self, line: &[u8]) {
        // Never borrowed elsewhere while the engine calls the handler; a
        // line is dropped rather than risking a panic.
        if let Ok(mut headers) = self.0.try_borrow_mut() {
            headers.record(line);
        }
    }

    /// Keeps what a trailer line carries.
    pub fn record_trailer(&self, line: &[u8]) {
        if let Ok(mut headers) = self.0.try_borrow_mut() {
            headers.record_trailer(line);
        }
    }

    /// Forgets the fields: a new transfer starts.
    pub fn clear(&self) {
        if let Ok(mut headers) = self.0.try_borrow_mut() {
            headers.clear();
        }
    }

    /// Runs `f` on the fields; `None` if they are in use (which the
    /// single-threaded callers never cause).
    pub fn with<R>(&self, f: impl FnOnce(&mut Headers) -> R) -> Option<R> {
        self.0.try_borrow_mut().ok().map(|mut h| f(&mut h))
    }
}
