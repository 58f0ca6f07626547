//! Binding a socket where [`LocalBind`] says before it connects, in
//! libcurl's order and words: an interface by name (the device itself
//! when the system allows, else its address), else an address or host
//! name; then the first free port of the range.

use std::ffi::CStr;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use socket2::{SockAddr, Socket as Sock};

use crate::env::{BindFailed, Interface, LocalBind};

/// Binds `socket`, which will connect to `peer`; the error holds
/// [`BindFailed`] with libcurl's message.
pub(super) fn bind_local(socket: &Sock, peer: SocketAddr, local: &LocalBind) -> io::Result<()> {
    let v6 = peer.is_ipv6();
    let ip = match &local.interface {
        None => None,
        Some(interface) => {
            let (name, device_only, host_only) = match interface {
                Interface::Any(name) => (name, false, false),
                Interface::Device(name) => (name, true, false),
                Interface::Host(name) => (name, false, true),
            };
            if !host_only && socket.bind_device(Some(name.as_bytes())).is_ok() {
                // Bound to the device itself (it needs privileges): libcurl
                // then binds nothing else, not even the port.
                return Ok(());
            }
            match (host_only, interface_address(name, v6)) {
                (false, Some(ip)) => Some(ip),
                (false, None) if device_only => {
                    return Err(failed(format!("Couldn't bind to interface '{name}'")));
                }
                _ => match host_address(name, v6) {
                    Some(ip) => Some(ip),
                    None => return Err(failed(format!("Couldn't bind to '{name}'"))),
                },
            }
        }
    };
    if ip.is_none() && local.port == 0 {
        return Ok(());
    }
    let any = match v6 {
        true => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        false => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    };
    let ip = ip.unwrap_or(any);
    let mut port = local.port;
    let mut left = local.port_range.max(1);
    loop {
        let error = match socket.bind(&SockAddr::from(SocketAddr::new(ip, port))) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        left -= 1;
        if left == 0 || port == u16::MAX || port == 0 {
            let errno = error.raw_os_error().unwrap_or(0);
            let text = error.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            return Err(failed(format!("bind failed with errno {errno}: {text}")));
        }
        port += 1;
    }
}

fn failed(message: String) -> io::Error {
    io::Error::other(BindFailed(message))
}

/// The first address of `name`'s interface in the peer's family.
fn interface_address(name: &str, v6: bool) -> Option<IpAddr> {
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a list it allocates, freed below.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return None;
    }
    let mut found = None;
    let mut at = list;
    while !at.is_null() && found.is_none() {
        // SAFETY: `at` is an element of the list getifaddrs made, alive
        // until freeifaddrs.
        let entry = unsafe { &*at };
        at = entry.ifa_next;
        // SAFETY: the list's names are NUL-terminated strings.
        if entry.ifa_addr.is_null() || unsafe { CStr::from_ptr(entry.ifa_name) }.to_bytes() != name.as_bytes()
        {
            continue;
        }
        // SAFETY: a non-NULL ifa_addr points to a sockaddr of its family.
        found = unsafe {
            match i32::from((*entry.ifa_addr).sa_family) {
                libc::AF_INET if !v6 => {
                    let sin = &*entry.ifa_addr.cast::<libc::sockaddr_in>();
                    Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr))))
                }
                libc::AF_INET6 if v6 => {
                    let sin6 = &*entry.ifa_addr.cast::<libc::sockaddr_in6>();
                    Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
                }
                _ => None,
            }
        };
    }
    // SAFETY: the list getifaddrs made, freed once.
    unsafe { libc::freeifaddrs(list) };
    found
}

/// An address literal, or the first address of a host name in the peer's
/// family (a blocking lookup, as libcurl's).
fn host_address(name: &str, v6: bool) -> Option<IpAddr> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return (ip.is_ipv6() == v6).then_some(ip);
    }
    if name.is_empty() {
        return None;
    }
    let found = (name, 0).to_socket_addrs().ok()?;
    found.map(|a| a.ip()).find(|ip| ip.is_ipv6() == v6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loopback_interface_has_its_address() {
        assert_eq!(
            interface_address("lo", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(interface_address("no-such-interface0", false), None);
    }

    #[test]
    fn hosts_are_addresses_of_the_peers_family() {
        assert_eq!(
            host_address("127.0.0.1", false),
            Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        );
        assert_eq!(host_address("127.0.0.1", true), None);
        assert_eq!(host_address("256.1.1.1", false), None);
        assert_eq!(host_address("", false), None);
    }

    #[test]
    fn a_busy_port_moves_on_within_its_range() {
        let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = busy.local_addr().unwrap().port();
        let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let local = |range| LocalBind {
            interface: Some(Interface::Host("127.0.0.1".into())),
            port,
            port_range: range,
        };
        let socket = || Sock::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        let e = bind_local(&socket(), peer, &local(1)).unwrap_err();
        assert!(e.to_string().starts_with("bind failed with errno 98: "), "{e}");
        let s = socket();
        // The next port may be taken by someone else: then the range ends.
        if bind_local(&s, peer, &local(2)).is_ok() {
            let bound = s.local_addr().unwrap().as_socket().unwrap();
            assert_eq!(bound.port(), port + 1);
        }
    }
}
