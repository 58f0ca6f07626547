//! An async client (the `tokio` feature): `client.get(url).send().await`
//! gives the response head as an [`http::Response`] whose [`Body`] is a
//! stream of [`Bytes`](bytes::Bytes), and any number of such futures, on
//! any threads and any executor, share one engine.
//!
//! ```no_run
//! # async fn run() -> Result<(), starling::Error> {
//! let client = starling::Client::new();
//! let response = client.get("http://127.0.0.1:8080/").send().await?;
//! println!("{} {:?}", response.status(), response.headers().get("content-type"));
//! let body = response.into_body().bytes().await?;
//! println!("{} bytes", body.len());
//! # Ok(())
//! # }
//! ```
//!
//! # How it runs
//!
//! A [`Client`] owns a thread that runs one [`Multi`] on the tokio driver
//! ([`drive::tokio`](crate::drive::tokio)) on a current-thread runtime of
//! its own. A request travels there as plain data when its future is
//! first polled; the engine's handler for it fills a buffer the future,
//! then the body, read from. The multi handle is not `Send` (a
//! [`Handler`](crate::Handler) need not be), which is why the engine has a
//! thread rather than a task on the caller's runtime; and so the futures
//! depend on no runtime: they work under tokio, async-std, smol or a plain
//! `block_on`. The thread ends when the last client, future and body are
//! dropped. [`ClientBuilder::build_local`] makes the engine a future of the
//! caller's instead, for programs that run their requests on one thread
//! (a current-thread runtime, a `LocalSet`): nothing then crosses threads.
//!
//! - Dropping a [`ResponseFuture`] before it resolves, or a [`Body`]
//!   before its end, removes the transfer (its connection is closed, as
//!   a half-read response leaves it unusable).
//! - A body whose reader falls behind by more than
//!   [`ClientBuilder::body_buffer`] pauses its transfer: the socket is not
//!   read, so TCP holds the server back, and memory stays bounded however
//!   many bodies wait.
//! - Every option of the engine is reachable: [`RequestBuilder::configure`]
//!   sets any [`Easy`] option on one request, [`ClientBuilder::configure`]
//!   on every request, [`ClientBuilder::multi`] sets the multi handle's
//!   limits.
//!
//! # Compared with reqwest and isahc
//!
//! | | Starling's `Client` | reqwest | isahc |
//! |---|---|---|---|
//! | where transfers run | a thread of the client's, one multi handle | tasks on the caller's tokio runtime (hyper) | a thread of the client's, one libcurl multi handle |
//! | runtime needed by the caller | none | tokio | none |
//! | response type | `http::Response<Body>` | `reqwest::Response` (head accessors, body methods) | `http::Response<AsyncBody>` |
//! | body | [`Body`]: `Stream<Item = Result<Bytes>>`, `http_body::Body`, [`Body::chunk`], [`Body::bytes`], [`Body::text`] | `chunk()`, `bytes()`, `text()`, `bytes_stream()` | `AsyncRead`, `text()`, `bytes()` |
//! | a slow reader | the transfer pauses past a bounded buffer | hyper reads when the body is polled | the transfer pauses when its pipe is full |
//! | redirects by default | followed, up to 10 | followed, up to 10 | not followed |
//! | options | every [`Easy`] option through `configure`, the usual ones on the builder | typed builder methods | typed builder methods and extension traits |
//! | errors | [`Error`](crate::Error) with an [`ErrorKind`](crate::ErrorKind) in libcurl's categories | `reqwest::Error` | `isahc::Error` with an `ErrorKind` |
//!
//! What the differences cost or buy:
//! - A request crosses threads twice (its start, its head) and each body
//!   piece once, copied out of the engine's buffer: work reqwest does not
//!   do on its runtime. In return the engine's sockets, timers and
//!   connection pool are one event loop's, whatever runs the futures.
//!   Where the requests run on one thread, [`ClientBuilder::build_local`]
//!   puts the engine on it as a task and nothing crosses threads:
//!   docs/benchmarks.md ("The async Client") measures both against hyper.
//! - [`Body::text`] decodes UTF-8 only (bytes that are not UTF-8 are
//!   replaced); reqwest decodes the charset the response names.
//! - A request body is given whole ([`RequestBuilder::body`]); a streamed
//!   upload uses the engine directly ([`Easy::body_from_handler`]).

mod body;
mod engine;
mod exchange;
mod link;
mod order;
mod request;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Method;

pub use body::Body;
pub use request::{RequestBuilder, ResponseFuture};

use crate::easy::Easy;
use crate::multi::Multi;
use engine::{Defaults, MultiSetup, Settings};
use link::Link;

/// Redirects a client follows unless told otherwise (reqwest's default).
pub const DEFAULT_CLIENT_REDIRECTS: u32 = 10;

/// Unread body bytes a transfer buffers before it pauses, unless told
/// otherwise.
pub const DEFAULT_BODY_BUFFER: usize = 256 * 1024;

/// An async HTTP client: one engine on a thread of its own, shared by
/// every clone and every request. Cheap to clone; `Send` and `Sync`.
#[derive(Clone)]
pub struct Client {
    link: Arc<Link>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("body_buffer", &self.link.body_buffer)
            .finish_non_exhaustive()
    }
}

impl Default for Client {
    fn default() -> Client {
        Client::new()
    }
}

impl Client {
    /// A client with the default settings.
    ///
    /// # Panics
    /// If its engine thread cannot be started (the system refuses a
    /// thread or the runtime's reactor); [`ClientBuilder::build`] returns
    /// that error instead.
    pub fn new() -> Client {
        match Client::builder().build() {
            Ok(client) => client,
            Err(e) => panic!("starling: cannot start the client's engine thread: {e}"),
        }
    }

    /// A builder for a client with other settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A request of `method` to `url`.
    pub fn request(&self, method: Method, url: impl Into<String>) -> RequestBuilder {
        RequestBuilder::new(Arc::clone(&self.link), method, url.into())
    }

    /// A GET request.
    pub fn get(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// A HEAD request (its response has no body).
    pub fn head(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// A POST request; give its body with [`RequestBuilder::body`].
    pub fn post(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// A PUT request; give its body with [`RequestBuilder::body`].
    pub fn put(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// A DELETE request.
    pub fn delete(&self, url: impl Into<String>) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }
}

/// Settings of a [`Client`], from [`Client::builder`].
#[must_use = "a builder does nothing until `build`"]
pub struct ClientBuilder {
    redirects: u32,
    body_buffer: usize,
    configure: Option<Defaults>,
    multi: Option<MultiSetup>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            redirects: DEFAULT_CLIENT_REDIRECTS,
            body_buffer: DEFAULT_BODY_BUFFER,
            configure: None,
            multi: None,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("redirects", &self.redirects)
            .field("body_buffer", &self.body_buffer)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Redirects to follow at most; 0 follows none (the redirect response
    /// is the response). [`DEFAULT_CLIENT_REDIRECTS`] unless set.
    pub fn redirects(mut self, limit: u32) -> ClientBuilder {
        self.redirects = limit;
        self
    }

    /// Unread body bytes a transfer buffers before it pauses until its
    /// reader catches up (to half of it). [`DEFAULT_BODY_BUFFER`] unless
    /// set; at least 1.
    pub fn body_buffer(mut self, bytes: usize) -> ClientBuilder {
        self.body_buffer = bytes.max(1);
        self
    }

    /// Options set on every request's [`Easy`] handle, on the engine
    /// thread, before the request's own.
    pub fn configure(mut self, configure: impl Fn(&mut Easy) + Send + Sync + 'static) -> ClientBuilder {
        self.configure = Some(Arc::new(configure));
        self
    }

    /// Settings of the engine's [`Multi`] handle (its [`Limits`](crate::Limits),
    /// DNS, sharing), set once on the engine thread. Its socket and timer
    /// callbacks belong to the client.
    pub fn multi(mut self, setup: impl FnOnce(&mut Multi) + Send + 'static) -> ClientBuilder {
        self.multi = Some(Box::new(setup));
        self
    }

    /// Starts the client's engine thread.
    pub fn build(self) -> io::Result<Client> {
        let body_buffer = self.body_buffer;
        let commands = engine::spawn(self.settings())?;
        Ok(Client {
            link: Arc::new(Link::new(commands, body_buffer)),
        })
    }

    /// A client whose engine is a future of the caller's instead of a
    /// thread: poll it on one thread of a tokio runtime (a task of a
    /// [`LocalSet`](tokio::task::LocalSet), or `join`ed with the work that
    /// uses the client), and requests from that thread cross no thread at
    /// all. The engine future is not `Send`; it ends once the client, its
    /// clones, and every future and body it gave are dropped, and until it
    /// is polled no request makes progress.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), starling::Error> {
    /// let local = tokio::task::LocalSet::new();
    /// local
    ///     .run_until(async {
    ///         let (client, engine) = starling::Client::builder().build_local();
    ///         tokio::task::spawn_local(engine);
    ///         let body = client.get("http://127.0.0.1:8080/").send().await?.into_body().bytes().await?;
    ///         println!("{} bytes", body.len());
    ///         Ok(())
    ///     })
    ///     .await
    /// # }
    /// ```
    pub fn build_local(self) -> (Client, LocalEngine) {
        let body_buffer = self.body_buffer;
        let (commands, engine) = engine::local(self.settings());
        let client = Client {
            link: Arc::new(Link::new(commands, body_buffer)),
        };
        (client, LocalEngine(Box::pin(engine)))
    }

    /// What the engine applies: the redirect limit, then the caller's
    /// options, on every request; the multi handle's settings once.
    fn settings(self) -> Settings {
        let redirects = self.redirects;
        let configure = self.configure;
        let defaults: Defaults = Arc::new(move |easy: &mut Easy| {
            easy.follow_location(redirects > 0).max_redirects(redirects);
            if let Some(configure) = &configure {
                configure(easy);
            }
        });
        Settings {
            defaults,
            setup: self.multi,
        }
    }
}

/// The engine of a client made by [`ClientBuilder::build_local`]: a future
/// to poll on one thread of a tokio runtime (it is not `Send`).
#[must_use = "the client's requests make progress only while its engine is polled"]
pub struct LocalEngine(Pin<Box<dyn Future<Output = ()>>>);

impl std::fmt::Debug for LocalEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalEngine").finish_non_exhaustive()
    }
}

impl Future for LocalEngine {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}
