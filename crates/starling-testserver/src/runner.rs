//! Shared machinery of both servers: binding 127.0.0.1 (port 0 or a given
//! port) with a large
//! backlog, the server thread with its current-thread tokio runtime, the
//! accept loop, connection counters and shutdown-on-drop.

use std::future::Future;
use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Listen backlog; the kernel caps it at `net.core.somaxconn`.
const BACKLOG: i32 = 4096;

/// Counters shared between a server handle and its thread.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) accepted: AtomicUsize,
    pub(crate) open: AtomicUsize,
    pub(crate) requests: AtomicUsize,
}

/// Keeps `Counters::open` raised while a connection task (or its future) is
/// alive; the count drops when the task ends or is dropped at shutdown.
struct OpenGuard(Arc<Counters>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running server: its address, counters, and the means to stop it.
#[derive(Debug)]
pub(crate) struct ServerCore {
    addr: SocketAddr,
    pub(crate) counters: Arc<Counters>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Binds a listening socket on 127.0.0.1 `port` (0: kernel-chosen) with a
/// backlog of 4096. A fixed port gets `SO_REUSEADDR`, so a server restarted
/// at once is not refused because of the previous one's TIME_WAIT sockets.
fn bind_loopback(port: u16) -> std::io::Result<StdTcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    if port != 0 {
        socket.set_reuse_address(true)?;
    }
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

impl ServerCore {
    /// Binds 127.0.0.1 port 0, then starts the server thread. `handle` is
    /// called once per accepted connection and its future runs as its own
    /// tokio task.
    ///
    /// Panics with a clear message if the socket, the runtime or the thread
    /// cannot be created.
    pub(crate) fn start<H, F>(kind: &str, handle: H) -> ServerCore
    where
        H: Fn(TcpStream, Arc<Counters>) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        ServerCore::start_on(kind, 0, handle).unwrap_or_else(|e| {
            panic!("starling-testserver: {kind}: cannot bind a listener on 127.0.0.1:0: {e}")
        })
    }

    /// Like [`ServerCore::start`] on 127.0.0.1 `port` (0: kernel-chosen),
    /// but a failure to bind or to read the bound address is returned
    /// instead of panicking (a fixed port may be taken).
    pub(crate) fn start_on<H, F>(kind: &str, port: u16, handle: H) -> std::io::Result<ServerCore>
    where
        H: Fn(TcpStream, Arc<Counters>) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let listener = bind_loopback(port)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("starling-testserver: {kind}: cannot build a tokio runtime: {e}"));
        let counters = Arc::new(Counters::default());
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let thread_counters = Arc::clone(&counters);
        let thread = std::thread::Builder::new()
            .name(format!("starling-{kind}"))
            .spawn(move || {
                runtime.block_on(accept_loop(listener, thread_counters, shutdown_rx, handle));
                // Dropping the runtime drops every connection task that is
                // still alive, closing its socket, and closes the runtime's
                // own fds, all before the thread (and so `Drop`) finishes.
                drop(runtime);
            })
            .unwrap_or_else(|e| panic!("starling-testserver: {kind}: cannot spawn the server thread: {e}"));
        Ok(ServerCore {
            addr,
            counters,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub(crate) fn connections_accepted(&self) -> usize {
        self.counters.accepted.load(Ordering::SeqCst)
    }

    pub(crate) fn open_connections(&self) -> usize {
        self.counters.open.load(Ordering::SeqCst)
    }

    pub(crate) fn wait_for_open_connections(&self, expected: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let open = self.open_connections();
            if open == expected || Instant::now() >= deadline {
                return open;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for ServerCore {
    fn drop(&mut self) {
        // Dropping the sender wakes the accept loop, which then returns.
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                eprintln!("starling-testserver: the server thread panicked");
            }
        }
    }
}

async fn accept_loop<H, F>(
    listener: StdTcpListener,
    counters: Arc<Counters>,
    mut shutdown: oneshot::Receiver<()>,
    handle: H,
) where
    H: Fn(TcpStream, Arc<Counters>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::from_std(listener)
        .expect("starling-testserver: cannot register the listener with tokio");
    loop {
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // `open` first, so that a reader who sees `accepted == n`
                    // also sees the connection counted as open.
                    counters.open.fetch_add(1, Ordering::SeqCst);
                    counters.accepted.fetch_add(1, Ordering::SeqCst);
                    let guard = OpenGuard(Arc::clone(&counters));
                    let _ = stream.set_nodelay(true);
                    let conn = handle(stream, Arc::clone(&counters));
                    tokio::spawn(async move {
                        let _guard = guard;
                        conn.await;
                    });
                }
                Err(_) => {
                    // Typically EMFILE/ENFILE: back off instead of spinning;
                    // the pending connection stays in the backlog.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            },
        }
    }
}
