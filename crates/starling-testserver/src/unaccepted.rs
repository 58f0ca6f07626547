//! [`Unaccepted`]: a listener whose accept queue is full and never
//! drained, so that a connect to it hangs (the kernel drops the SYN): the
//! way to make a connect time out on 127.0.0.1.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Socket, Type};

/// A listener on 127.0.0.1 that accepts nothing, its queue filled by
/// connections it holds; connects to it hang until they are given up.
pub struct Unaccepted {
    _listener: Socket,
    _fillers: Vec<TcpStream>,
    addr: SocketAddr,
}

impl Unaccepted {
    /// Starts one (a queue of length 0, filled by up to four connects).
    pub fn start() -> Unaccepted {
        let listener = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
        listener
            .bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())
            .expect("a port on 127.0.0.1");
        listener.listen(0).expect("listen");
        let addr = listener
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("an IPv4 address");
        let fillers = (0..4)
            .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok())
            .collect();
        Unaccepted {
            _listener: listener,
            _fillers: fillers,
            addr,
        }
    }

    /// The address connects hang on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `"http://127.0.0.1:PORT"` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}
