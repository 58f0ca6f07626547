//! A request as the async client builds it, and the future that sends it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::Method;

use super::body::Body;
use super::exchange::{Exchange, HeadPoll};
use super::link::Link;
use super::order::{Command, Request};
use crate::easy::Easy;
use crate::error::{Error, ErrorKind};

/// A request being built; [`RequestBuilder::send`] sends it. Made by
/// [`Client::get`](super::Client::get), [`Client::request`](super::Client::request)
/// and the like.
#[must_use = "a request is sent only by `send().await`"]
pub struct RequestBuilder {
    link: Arc<Link>,
    request: Result<Request, Error>,
}

impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("RequestBuilder");
        match &self.request {
            Ok(r) => d.field("method", &r.method).field("url", &r.url),
            Err(e) => d.field("error", e),
        };
        d.finish_non_exhaustive()
    }
}

impl RequestBuilder {
    pub(crate) fn new(link: Arc<Link>, method: Method, url: String) -> RequestBuilder {
        RequestBuilder {
            link,
            request: Ok(Request {
                method,
                url,
                headers: Vec::new(),
                body: None,
                timeout: None,
                configure: Vec::new(),
            }),
        }
    }

    /// Adds a request header, sent after the ones added before it. A name
    /// or value `http` refuses makes [`RequestBuilder::send`] fail with
    /// [`ErrorKind::BadFunctionArgument`].
    pub fn header<K, V>(mut self, name: K, value: V) -> RequestBuilder
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        if let Ok(request) = &mut self.request {
            match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
                (Ok(name), Ok(value)) => request.headers.push((name, value)),
                _ => {
                    self.request = Err(Error::new(
                        ErrorKind::BadFunctionArgument,
                        "invalid request header name or value",
                    ))
                }
            }
        }
        self
    }

    /// Sets the request body, sent with a `Content-Length`.
    pub fn body(mut self, body: impl Into<Bytes>) -> RequestBuilder {
        if let Ok(request) = &mut self.request {
            request.body = Some(body.into());
        }
        self
    }

    /// Limits the whole transfer, body included, to `limit`
    /// ([`Easy::timeout`]); past it the future, or the body, fails with
    /// [`ErrorKind::TimedOut`].
    pub fn timeout(mut self, limit: Duration) -> RequestBuilder {
        if let Ok(request) = &mut self.request {
            request.timeout = Some(limit);
        }
        self
    }

    /// Sets any other option of the transfer on its [`Easy`] handle: TLS,
    /// proxies, authentication, HTTP version, speed limits. Run on the
    /// engine thread when the request starts, after the client's defaults
    /// and this builder's other settings. Do not set a handler: the
    /// client's own receives the response.
    pub fn configure(mut self, configure: impl FnOnce(&mut Easy) + Send + 'static) -> RequestBuilder {
        if let Ok(request) = &mut self.request {
            request.configure.push(Box::new(configure));
        }
        self
    }

    /// The future of the response: it starts the request when first
    /// polled, and resolves once the final response's head arrived (the
    /// body follows as a stream). Dropping it before then removes the
    /// transfer.
    pub fn send(self) -> ResponseFuture {
        let key = self.link.next_key();
        let exchange = Exchange::new(self.link.body_buffer);
        ResponseFuture {
            link: self.link,
            key,
            exchange,
            request: Some(self.request),
            started: false,
            done: false,
        }
    }
}

/// The response to a request sent with [`RequestBuilder::send`]: resolves
/// to the response head with its [`Body`] to read.
#[must_use = "futures do nothing unless polled"]
pub struct ResponseFuture {
    link: Arc<Link>,
    key: u64,
    exchange: Arc<Exchange>,
    /// Until the first poll sends it.
    request: Option<Result<Request, Error>>,
    started: bool,
    done: bool,
}

impl std::fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("started", &self.started)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<http::Response<Body>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(Err(Error::new(
                ErrorKind::BadFunctionArgument,
                "the response future was polled after it resolved",
            )));
        }
        if let Some(request) = this.request.take() {
            let start = request.and_then(|request| {
                this.link.command(Command::Start {
                    key: this.key,
                    request,
                    exchange: Arc::clone(&this.exchange),
                })
            });
            if let Err(e) = start {
                this.done = true;
                return Poll::Ready(Err(e));
            }
            this.started = true;
        }
        match this.exchange.poll_head(cx.waker()) {
            HeadPoll::Pending => Poll::Pending,
            HeadPoll::Failed(e) => {
                this.done = true;
                Poll::Ready(Err(e))
            }
            HeadPoll::Ready(head) => {
                this.done = true;
                let body = Body::new(Arc::clone(&this.link), this.key, Arc::clone(&this.exchange));
                let mut response = http::Response::new(body);
                *response.status_mut() = head.status;
                *response.version_mut() = head.version;
                *response.headers_mut() = head.headers;
                Poll::Ready(Ok(response))
            }
        }
    }
}

impl Drop for ResponseFuture {
    fn drop(&mut self) {
        if self.started && !self.done && !self.exchange.ended() {
            // The engine may be gone already: then so is the transfer.
            let _ = self.link.command(Command::Cancel(self.key));
        }
    }
}
