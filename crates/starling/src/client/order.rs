//! What travels from the futures to the engine thread: a request as
//! plain data (the multi handle and its handles are not `Send`, so a
//! request becomes an [`Easy`] handle only there), and the commands.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::Method;

use super::exchange::Exchange;
use crate::easy::Easy;
use crate::error::{Error, ErrorKind};

/// What a future or a body asks of the engine thread.
pub(crate) enum Command {
    /// Start a request; its handler fills `exchange`.
    Start {
        key: u64,
        request: Request,
        exchange: Arc<Exchange>,
    },
    /// The future or the body was dropped: take the transfer out.
    Cancel(u64),
    /// The reader caught up: lift the pause of the transfer.
    Resume(u64),
}

/// An option set on the request's handle by the application.
pub(crate) type Configure = Box<dyn FnOnce(&mut Easy) + Send>;

/// A request as plain data, sent to the engine thread, where it becomes
/// an [`Easy`] handle.
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Bytes>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) configure: Vec<Configure>,
}

impl Request {
    /// Sets the request's options on `easy` (which holds the client's
    /// defaults already).
    pub(crate) fn apply(self, easy: &mut Easy) -> Result<(), Error> {
        easy.url(self.url).method(self.method);
        for (name, value) in &self.headers {
            let headers = easy.headers_mut();
            // An empty value is sent as one (`Name:`), as reqwest and
            // hyper send it, not taken as libcurl's "leave this field out".
            let added = match value.is_empty() {
                true => headers.append_empty(name.as_str()),
                false => headers.append(name.as_str(), value.as_bytes()),
            };
            added.map_err(|_| {
                Error::new(
                    ErrorKind::BadFunctionArgument,
                    format!("invalid value for request header {name}"),
                )
            })?;
        }
        if let Some(body) = self.body {
            easy.body(body);
        }
        if let Some(limit) = self.timeout {
            easy.timeout(limit);
        }
        for configure in self.configure {
            configure(easy);
        }
        Ok(())
    }
}
