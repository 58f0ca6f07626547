//! The transfer whose handler callback is running: lent to the callback
//! so that it can read its own transfer's facts (status, headers, bytes,
//! timings, effective URL) while the engine that owns them is busy.
//!
//! libcurl lets a write or header callback call `curl_easy_getinfo` on its
//! own handle; Starling's C interface answers such calls from here. The
//! engine lends the transfer around each handler call, in the engine's
//! (and so the application's) thread; outside handler calls nothing is
//! lent.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;

use crate::easy::EasyInner;
use crate::env::Env;
use crate::handler::Handler;
use crate::info::TransferInfo;

/// What a handler callback can read about its own transfer.
#[derive(Debug)]
pub struct Current<'a> {
    info: &'a TransferInfo,
    url: &'a str,
    private: Option<usize>,
}

impl Current<'_> {
    /// The transfer's info as it stands: the status and header fields of
    /// the response being received, bytes so far, timings of the phases
    /// done, addresses.
    pub fn info(&self) -> &TransferInfo {
        self.info
    }

    /// The URL in use: the last redirect's target, or the URL as set (with
    /// its guessed scheme, if it had none).
    pub fn effective_url(&self) -> &str {
        self.info.redirect_url.as_deref().unwrap_or(self.url)
    }

    /// The time since the transfer started (libcurl's
    /// `CURLINFO_TOTAL_TIME` asked while it runs), by the engine's clock
    /// (its environment's: simulated time under a simulated network).
    pub fn elapsed(&self) -> std::time::Duration {
        let now = CLOCK
            .with(Cell::get)
            // SAFETY: a clock set by a `ClockLoan` that is still alive (it
            // restores the previous value when dropped), lent by the multi
            // handle that owns the environment for the length of its call.
            .map_or_else(std::time::Instant::now, |env| unsafe { (*env).now() });
        self.info
            .started
            .map_or(std::time::Duration::ZERO, |s| now.saturating_duration_since(s))
    }

    /// The data attached with [`Easy::private`](crate::Easy::private),
    /// which tells whose transfer this is.
    pub fn private(&self) -> Option<usize> {
        self.private
    }
}

thread_local! {
    /// The lent transfer, erased to `'static`; only [`with_current`] turns
    /// it back into a reference, for no longer than the loan.
    static LENT: Cell<*const Current<'static>> = const { Cell::new(ptr::null()) };
}

thread_local! {
    /// The environment of the multi handle whose call is running, for
    /// [`Current::elapsed`].
    static CLOCK: Cell<Option<*const dyn Env>> = const { Cell::new(None) };
}

/// Lends the engine's environment (its clock) for the length of one call
/// of the multi handle; restores what was lent before (a handler may run
/// a multi handle of its own).
pub(crate) struct ClockLoan {
    previous: Option<*const dyn Env>,
}

impl ClockLoan {
    /// Lends `env` until the loan is dropped; the caller keeps `env`
    /// alive and in place that long.
    pub(crate) fn new(env: &(dyn Env + 'static)) -> ClockLoan {
        ClockLoan {
            previous: CLOCK.with(|c| c.replace(Some(env as *const dyn Env))),
        }
    }
}

impl Drop for ClockLoan {
    fn drop(&mut self) {
        CLOCK.with(|c| c.set(self.previous));
    }
}

/// Calls `f` with the transfer whose handler callback is running on this
/// thread, or with `None` outside handler callbacks.
pub fn with_current<R>(f: impl FnOnce(Option<&Current<'_>>) -> R) -> R {
    let lent = LENT.with(Cell::get);
    // SAFETY: a non-null pointer was set by a `Loan` that is still alive
    // (it restores the previous value when dropped), so the `Current` it
    // points to and the fields it borrows outlive this call; the engine
    // does not change them while the handler call it wraps runs.
    f(unsafe { lent.as_ref() })
}

/// Lends a transfer for as long as it lives; restores what was lent
/// before (a handler may run a nested transfer of its own).
struct Loan<'a> {
    previous: *const Current<'static>,
    _borrow: PhantomData<&'a Current<'a>>,
}

impl<'a> Loan<'a> {
    fn new(current: &'a Current<'a>) -> Self {
        let erased = (current as *const Current<'a>).cast::<Current<'static>>();
        Loan {
            previous: LENT.with(|l| l.replace(erased)),
            _borrow: PhantomData,
        }
    }
}

impl Drop for Loan<'_> {
    fn drop(&mut self) {
        LENT.with(|l| l.set(self.previous));
    }
}

impl EasyInner {
    /// Runs `f` with the handler, lending the transfer to it (see
    /// [`with_current`]); `f` also gets the info, which it may read but
    /// not change while the handler could be looking.
    pub(crate) fn with_handler<R>(&mut self, f: impl FnOnce(&mut dyn Handler, &TransferInfo) -> R) -> R {
        let current = Current {
            info: &self.info,
            url: crate::easy::url_in_use(&self.url, &self.route),
            private: self.private,
        };
        let _loan = Loan::new(&current);
        f(&mut *self.handler, &self.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::easy::Easy;
    use crate::handler::Flow;

    #[derive(Default)]
    struct Peek {
        seen: Vec<(Option<usize>, String, u64)>,
    }

    impl Handler for Peek {
        fn write(&mut self, _data: &[u8]) -> Flow {
            let seen = with_current(|c| {
                c.map(|c| {
                    (
                        c.private(),
                        c.effective_url().to_string(),
                        c.info().body_bytes_delivered,
                    )
                })
            });
            self.seen.extend(seen);
            Flow::Continue
        }
    }

    #[test]
    fn lent_only_inside_the_call_and_nested_loans_restore() {
        let mut outer = Easy::new("http://127.0.0.1:1/outer");
        outer.private(Some(1)).handler(Peek::default());
        outer.inner.info.body_bytes_delivered = 7;
        let mut inner = Easy::new("http://127.0.0.1:1/inner");
        inner.private(Some(2)).handler(Peek::default());
        assert!(with_current(|c| c.is_none()));
        outer.inner.with_handler(|h, _| {
            h.write(b"a");
            inner.inner.with_handler(|h, _| h.write(b"b"));
            h.write(b"c");
        });
        assert!(with_current(|c| c.is_none()));
        let outer_seen = &outer.handler_ref::<Peek>().unwrap().seen;
        let url = "http://127.0.0.1:1/outer".to_string();
        assert_eq!(outer_seen, &[(Some(1), url.clone(), 7), (Some(1), url, 7)]);
        let inner_seen = &inner.handler_ref::<Peek>().unwrap().seen;
        assert_eq!(
            inner_seen,
            &[(Some(2), "http://127.0.0.1:1/inner".to_string(), 0)]
        );
    }
}
