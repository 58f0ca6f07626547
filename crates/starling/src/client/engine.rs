//! The engine thread: one multi handle on the tokio driver, on a
//! current-thread runtime of its own, fed by a channel of commands from
//! any number of futures on any threads.
//!
//! The multi handle is not `Send` (handlers need not be), so the requests
//! travel as plain data and become [`Easy`] handles here.

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::io;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::exchange::Streamer;
use super::order::Command;
use crate::drive::tokio::Driver;
use crate::easy::Easy;
use crate::error::{Error, ErrorKind};
use crate::events::Pause;
use crate::multi::{Multi, TransferId};

/// Options set on every request's handle, before the request's own.
pub(crate) type Defaults = Arc<dyn Fn(&mut Easy) + Send + Sync>;

/// Settings applied once to the engine's multi handle.
pub(crate) type MultiSetup = Box<dyn FnOnce(&mut Multi) + Send>;

/// The client-wide settings the engine thread applies.
pub(crate) struct Settings {
    /// Applied to every request's handle before the request's own options.
    pub(crate) defaults: Defaults,
    /// Applied once to the multi handle (limits, DNS).
    pub(crate) setup: Option<MultiSetup>,
}

/// Starts the engine thread; it ends once every sender of its channel
/// (the clients, the futures, the bodies) is gone.
pub(crate) fn spawn(settings: Settings) -> io::Result<UnboundedSender<Command>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let (commands, inbox) = unbounded_channel();
    std::thread::Builder::new()
        .name("starling-engine".into())
        .spawn(move || runtime.block_on(run(inbox, settings)))?;
    Ok(commands)
}

/// The engine as a future of the caller's, to be polled on one thread of
/// a tokio runtime; it ends once every sender of its channel is gone.
pub(crate) fn local(settings: Settings) -> (UnboundedSender<Command>, impl Future<Output = ()>) {
    let (commands, inbox) = unbounded_channel();
    (commands, run(inbox, settings))
}

/// What woke the engine thread.
enum Woke {
    Command(Option<Command>),
    Stepped(io::Result<usize>),
}

/// The engine thread's loop.
async fn run(mut inbox: UnboundedReceiver<Command>, settings: Settings) {
    let mut multi = Multi::new();
    if let Some(setup) = settings.setup {
        setup(&mut multi);
    }
    let mut engine = Engine {
        driver: Driver::new(multi),
        live: HashMap::new(),
        defaults: settings.defaults,
    };
    loop {
        engine.deliver_messages();
        // Every turn takes the commands waiting, whatever woke it, and
        // polls the sockets before the channel: neither a stream of
        // commands nor a stream of ready sockets starves the other.
        loop {
            match inbox.try_recv() {
                Ok(command) => engine.obey(command),
                Err(TryRecvError::Empty) => break,
                // Every client, future and body is gone: nobody is left
                // to read a transfer still running.
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let woke = {
            let mut step = pin!(engine.driver.step());
            poll_fn(|cx| {
                if let Poll::Ready(stepped) = step.as_mut().poll(cx) {
                    return Poll::Ready(Woke::Stepped(stepped));
                }
                inbox.poll_recv(cx).map(Woke::Command)
            })
            .await
        };
        match woke {
            Woke::Command(None) => return,
            Woke::Command(Some(command)) => engine.obey(command),
            Woke::Stepped(Ok(_)) => {}
            Woke::Stepped(Err(e)) => engine.fail_all(&e),
        }
    }
}

/// The engine thread's state.
struct Engine {
    driver: Driver,
    /// Running transfers by request key.
    live: HashMap<u64, TransferId>,
    defaults: Defaults,
}

impl Engine {
    fn obey(&mut self, command: Command) {
        match command {
            Command::Start {
                key,
                request,
                exchange,
            } => {
                let mut easy = Easy::new(String::new());
                // The application's option closures run here: one that
                // panics fails its request, not the engine and every
                // other transfer on it.
                let applied = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    (self.defaults)(&mut easy);
                    request.apply(&mut easy)
                }))
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::BadFunctionArgument,
                        "a configure closure of the request panicked",
                    ))
                });
                match applied {
                    Ok(()) => {
                        easy.handler(Streamer::new(exchange, key));
                        let id = self.driver.add(easy);
                        self.live.insert(key, id);
                    }
                    Err(e) => exchange.finish(Err(e)),
                }
            }
            Command::Cancel(key) => {
                if let Some(id) = self.live.remove(&key) {
                    // Its connection is closed (a response half read).
                    let _ = self.driver.remove(id);
                }
            }
            Command::Resume(key) => {
                if let Some(&id) = self.live.get(&key) {
                    // Running (it is in `live`): known to the multi handle.
                    let _ = self.driver.multi().set_pause(id, Pause::NONE);
                }
            }
        }
    }

    /// Hands each finished transfer's result to its reader.
    fn deliver_messages(&mut self) {
        while let Some(msg) = self.driver.info_read() {
            let Ok(easy) = self.driver.remove(msg.id) else {
                continue;
            };
            if let Some(streamer) = easy.handler_ref::<Streamer>() {
                self.live.remove(&streamer.key);
                streamer.exchange().finish(msg.result);
            }
        }
    }

    /// The event loop failed (a socket tokio's reactor refused): every
    /// running transfer ends with the reason.
    fn fail_all(&mut self, e: &io::Error) {
        for (_, id) in self.live.drain() {
            let Ok(easy) = self.driver.remove(id) else {
                continue;
            };
            if let Some(streamer) = easy.handler_ref::<Streamer>() {
                let error = Error::new(ErrorKind::RecvError, format!("event loop failed: {e}"));
                streamer.exchange().finish(Err(error.with_url(easy.get_url())));
            }
        }
    }
}
