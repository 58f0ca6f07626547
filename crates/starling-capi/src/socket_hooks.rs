//! CURLOPT_OPENSOCKETFUNCTION, CURLOPT_SOCKOPTFUNCTION and
//! CURLOPT_CLOSESOCKETFUNCTION (with their DATA pointers) as the engine's
//! [`SocketHooks`]: the program makes, sets up and closes the handle's
//! sockets, called as libcurl calls it.

use std::ffi::{c_int, c_uint, c_void};
use std::io;
use std::net::SocketAddr;
use std::os::fd::RawFd;

use starling::env::{Configured, SocketHooks};

/// `curl_opensocket_callback`: `(data, purpose, address)`, a socket or
/// `CURL_SOCKET_BAD`.
pub type OpenFn = unsafe extern "C" fn(*mut c_void, c_int, *mut CurlSockaddr) -> c_int;
/// `curl_sockopt_callback`: `(data, socket, purpose)`.
pub type SockoptFn = unsafe extern "C" fn(*mut c_void, c_int, c_int) -> c_int;
/// `curl_closesocket_callback`: `(data, socket)`.
pub type CloseFn = unsafe extern "C" fn(*mut c_void, c_int) -> c_int;

/// `CURLSOCKTYPE_IPCXN`: a socket for a connection to a server.
const PURPOSE_IPCXN: c_int = 0;
/// `CURL_SOCKOPT_ERROR` and `CURL_SOCKOPT_ALREADY_CONNECTED`.
const SOCKOPT_OK: c_int = 0;
const SOCKOPT_ALREADY_CONNECTED: c_int = 2;

/// `struct curl_sockaddr`, with room for any address after its fields as
/// libcurl gives it (its header declares a `struct sockaddr`, too small
/// for IPv6; libcurl's own is a `sockaddr_storage` there).
#[repr(C)]
pub struct CurlSockaddr {
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    addrlen: c_uint,
    addr: libc::sockaddr_storage,
}

impl CurlSockaddr {
    /// The address of a TCP connection to `addr`.
    fn of(addr: SocketAddr) -> CurlSockaddr {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let at = (&mut storage as *mut libc::sockaddr_storage).cast::<u8>();
        let (family, len) = match addr {
            SocketAddr::V4(a) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: a sockaddr_storage has room and alignment for
                // any sockaddr.
                unsafe { at.cast::<libc::sockaddr_in>().write(sin) };
                (libc::AF_INET, std::mem::size_of::<libc::sockaddr_in>())
            }
            SocketAddr::V6(a) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo().to_be(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: as above.
                unsafe { at.cast::<libc::sockaddr_in6>().write(sin6) };
                (libc::AF_INET6, std::mem::size_of::<libc::sockaddr_in6>())
            }
        };
        CurlSockaddr {
            family,
            socktype: libc::SOCK_STREAM,
            protocol: libc::IPPROTO_TCP,
            addrlen: len as c_uint,
            addr: storage,
        }
    }
}

/// The three callbacks and their data pointers as last set.
#[derive(Clone, Copy)]
pub struct SocketCallbacks {
    pub open: Option<OpenFn>,
    pub open_data: *mut c_void,
    pub sockopt: Option<SockoptFn>,
    pub sockopt_data: *mut c_void,
    pub close: Option<CloseFn>,
    pub close_data: *mut c_void,
}

impl Default for SocketCallbacks {
    fn default() -> Self {
        SocketCallbacks {
            open: None,
            open_data: std::ptr::null_mut(),
            sockopt: None,
            sockopt_data: std::ptr::null_mut(),
            close: None,
            close_data: std::ptr::null_mut(),
        }
    }
}

impl SocketCallbacks {
    /// Whether any callback is set (else the engine needs no hooks).
    pub fn any(&self) -> bool {
        self.open.is_some() || self.sockopt.is_some() || self.close.is_some()
    }
}

// SAFETY: the engine calls the hooks only on the thread that drives the
// multi handle, the thread the program's libcurl calls happen on, as
// libcurl calls them; the pointers are the program's and only passed back.
unsafe impl Send for SocketCallbacks {}
// SAFETY: as above: never called from two threads at once.
unsafe impl Sync for SocketCallbacks {}

impl SocketHooks for SocketCallbacks {
    fn open(&self, addr: SocketAddr) -> Option<io::Result<RawFd>> {
        let f = self.open?;
        let mut address = CurlSockaddr::of(addr);
        // SAFETY: the program set `f` as its curl_opensocket_callback; the
        // address lives across the call.
        let fd = unsafe { f(self.open_data, PURPOSE_IPCXN, &mut address) };
        Some(match fd {
            // libcurl's CURL_SOCKET_BAD (or any other negative answer).
            fd if fd < 0 => Err(io::Error::other("the open socket callback gave no socket")),
            fd => Ok(fd),
        })
    }

    fn configure(&self, fd: RawFd) -> io::Result<Configured> {
        let Some(f) = self.sockopt else {
            return Ok(Configured::Connect);
        };
        // SAFETY: the program set `f` as its curl_sockopt_callback.
        match unsafe { f(self.sockopt_data, fd, PURPOSE_IPCXN) } {
            SOCKOPT_OK => Ok(Configured::Connect),
            SOCKOPT_ALREADY_CONNECTED => Ok(Configured::AlreadyConnected),
            _ => Err(io::Error::other("the socket option callback refused the socket")),
        }
    }

    fn close(&self, fd: RawFd) -> bool {
        let Some(f) = self.close else {
            return false;
        };
        // SAFETY: the program set `f` as its curl_closesocket_callback;
        // `fd` is a socket made for it, closed once, here. Its answer is
        // not used, as libcurl does not use it.
        let _ = unsafe { f(self.close_data, fd) };
        true
    }
}
