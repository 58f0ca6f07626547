//! TLS with rustls: client configurations (protocol versions, trust,
//! verification, a pinned key, a client certificate, ALPN, session
//! resumption) and the session of one connection, driven over whatever
//! non-blocking byte stream its transport gives it (a [`Wire`]: the
//! socket, later a tunnel); the verifiers are in `verify` and `pin`, whom
//! they trust in `roots`, the versions in `versions`, the client
//! certificate in `client_cert`, the errors in `errors`, sessions kept in
//! a share in `shared`.
//!
//! rustls is sans-IO: ciphertext goes in with `read_tls` and out with
//! `write_tls`, plaintext with `reader()` and `writer()`. [`Session`] adds
//! the few rules a non-blocking loop needs: read ciphertext only when no
//! plaintext is buffered, flush ciphertext before accepting more plaintext,
//! and report `WouldBlock` exactly when the socket has nothing more, so the
//! engine's loop (which reads until `WouldBlock`) never leaves decrypted
//! data behind without a reason to come back.
//!
//! The crypto provider is a build's choice: ring (the `ring` feature, the
//! default) builds with a C compiler alone and covers everything HTTPS
//! clients meet (TLS 1.2 and 1.3, ECDSA, RSA, Ed25519); aws-lc-rs (the
//! `aws-lc-rs` feature, rustls's own default) adds post-quantum key
//! exchange (X25519MLKEM768), preferred when the server offers it.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::ServerCertVerifier;
use rustls::client::Resumption;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

use crate::easy::TlsOptions;
use crate::error::{Error, ErrorKind};
use crate::share::Share;

mod client_cert;
mod errors;
mod pin;
mod roots;
mod shared;
mod verify;
mod versions;
mod x509;

use errors::{describe, handshake_error, handshake_failed};
use verify::{AcceptAny, Verifier};

/// The ALPN protocols offered: HTTP/1.1 alone, or HTTP/2 first when the
/// transfer asks for it.
const ALPN: &[&[u8]] = &[b"http/1.1"];
const ALPN_H2: &[&[u8]] = &[b"h2", b"http/1.1"];

/// The client configurations of one multi handle, one per set of TLS
/// options, so connections and resumable sessions are shared by every
/// transfer with the same options.
#[derive(Default)]
pub(crate) struct TlsConfigs {
    configs: HashMap<TlsOptions, Arc<ClientConfig>>,
}

impl TlsConfigs {
    /// The configuration for `options`, built on first use.
    pub fn get(&mut self, options: &TlsOptions) -> Result<Arc<ClientConfig>, Error> {
        if let Some(config) = self.configs.get(options) {
            return Ok(Arc::clone(config));
        }
        let config = Arc::new(build_config(options)?);
        self.configs.insert(options.clone(), Arc::clone(&config));
        Ok(config)
    }
}

/// The configuration for `options` of the handles of `share`: the same
/// in every multi handle (rustls resumes a session only under the
/// verifier that saved it), its sessions kept in the share. A copy for one
/// connection, whose lock calls name `owner`.
pub(crate) fn shared_config(
    options: &TlsOptions,
    share: Share,
    owner: Option<usize>,
) -> Result<Arc<ClientConfig>, Error> {
    let base = {
        let mut slot = share.tls_configs();
        let configs = slot.get_or_insert_with(|| Box::new(TlsConfigs::default()));
        match configs.downcast_mut::<TlsConfigs>() {
            Some(configs) => configs.get(options)?,
            None => unreachable!("only the TLS layer keeps configurations in a share"),
        }
    };
    let mut config = (*base).clone();
    config.resumption = Resumption::store(shared::session_store(share, owner));
    Ok(Arc::new(config))
}

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!("starling needs a TLS crypto provider: enable its `ring` or `aws-lc-rs` feature");

/// The crypto provider the build chose, named rather than taken from
/// rustls's process default (which the application may set otherwise, or
/// which panics when both providers are compiled in).
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    Arc::clone(PROVIDER.get_or_init(|| Arc::new(chosen_provider())))
}

#[cfg(feature = "aws-lc-rs")]
fn chosen_provider() -> CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
fn chosen_provider() -> CryptoProvider {
    // rustls 0.23.48 marks ring's provider deprecated for what it lacks,
    // post-quantum key exchange, and offers no other way to have ring: a
    // build that chose ring chose that (the `aws-lc-rs` feature has it).
    #[allow(deprecated)]
    rustls::crypto::ring::default_provider()
}

fn build_config(options: &TlsOptions) -> Result<ClientConfig, Error> {
    let provider = provider();
    let versions = versions::offered(options.versions).map_err(versions::unmet)?;
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(versions)
        .map_err(|e| setup_failed(&e))?;
    let pin = options.pin.clone();
    let verifier: Arc<dyn ServerCertVerifier> = if options.verify_peer {
        let (roots, trusted) = roots::trust(options)?;
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, Arc::clone(&provider))
            .build()
            // Only an empty store fails here, and `roots::trust` refuses
            // that first, naming the file.
            .map_err(|_| Error::new(ErrorKind::SslCacertBadFile, "no usable CA certificate"))?;
        Arc::new(Verifier::new(
            webpki,
            provider.signature_verification_algorithms,
            trusted,
            options.verify_host,
            pin,
        ))
    } else {
        Arc::new(AcceptAny {
            provider,
            verify_host: options.verify_host,
            pin,
        })
    };
    let builder = builder.dangerous().with_custom_certificate_verifier(verifier);
    let mut config = match options.client_cert.as_deref() {
        Some(cert) => {
            let (chain, key) = client_cert::load(cert)?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| client_cert::refused(cert, &e))?
        }
        None => builder.with_no_client_auth(),
    };
    let alpn = if options.alpn_h2 { ALPN_H2 } else { ALPN };
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

/// rustls refused to set up a client (a bug of the engine's, never the
/// server's or the user's).
fn setup_failed(e: &rustls::Error) -> Error {
    Error::new(
        ErrorKind::SslConnect,
        format!("TLS setup failed: {}", describe(e)),
    )
}

/// Where a session's ciphertext comes from and goes to: the transport's
/// byte stream (a socket through the environment, later a tunnel), never
/// named here, so the session is buffers in and buffers out.
pub(crate) trait Wire: Read + Write {}

impl<T: Read + Write> Wire for T {}

/// How far a handshake step got.
pub(crate) enum Handshake {
    /// Done: requests can go.
    Done,
    /// Waiting for the socket (readable, or writable if `wants_write`).
    Blocked,
}

/// The TLS session of one connection.
#[derive(Debug)]
pub(crate) struct Session {
    conn: ClientConnection,
    /// The host as verified, for error messages.
    host: Box<str>,
    /// The server's address, for error messages.
    peer: Option<SocketAddr>,
}

impl Session {
    /// A session to `host` (a DNS name gets SNI; an IP address does not)
    /// at `peer`.
    pub fn new(config: Arc<ClientConfig>, host: &str, peer: Option<SocketAddr>) -> Result<Session, Error> {
        let name = ServerName::try_from(host.to_owned()).map_err(|_| {
            Error::new(
                ErrorKind::SslConnect,
                format!("'{host}' is not a valid TLS server name"),
            )
        })?;
        let conn = ClientConnection::new(config, name).map_err(|e| setup_failed(&e))?;
        Ok(Session {
            conn,
            host: host.into(),
            peer,
        })
    }

    /// The server agreed to HTTP/2 (ALPN `h2`).
    pub fn speaks_h2(&self) -> bool {
        self.conn.alpn_protocol() == Some(b"h2")
    }

    /// What the handshake settled, for a trace: "SSL connection using
    /// TLSv1.3 / TLS13_AES_256_GCM_SHA384, ALPN http/1.1" (the suite by
    /// rustls's name for it).
    pub fn describe(&self) -> String {
        let version = match self.conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "?",
        };
        let suite = self
            .conn
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str());
        let alpn = self.conn.alpn_protocol().map(String::from_utf8_lossy);
        format!(
            "SSL connection using {version} / {}, ALPN {}",
            suite.unwrap_or("?"),
            alpn.as_deref().unwrap_or("none"),
        )
    }

    /// True while ciphertext waits to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes pending ciphertext until done or the socket blocks.
    pub fn flush(&mut self, wire: &mut dyn Wire) -> io::Result<()> {
        while self.conn.wants_write() {
            self.conn.write_tls(wire)?;
        }
        Ok(())
    }

    /// Moves the handshake on as far as the socket allows.
    pub fn handshake(&mut self, wire: &mut dyn Wire) -> Result<Handshake, Error> {
        loop {
            match self.flush(wire) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Handshake::Blocked),
                Err(e) => return Err(self.write_failed(wire, e)),
            }
            if !self.conn.is_handshaking() {
                return Ok(Handshake::Done);
            }
            match self.conn.read_tls(wire) {
                Ok(0) => return Err(handshake_failed(self.peer, "the server closed the connection")),
                Ok(_) => {
                    if let Err(e) = self.conn.process_new_packets() {
                        // Tell the server why (the alert rustls queued).
                        let _ = self.flush(wire);
                        return Err(handshake_error(&e, &self.host, self.peer));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Handshake::Blocked),
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// The handshake could not be sent on: the server may have said why
    /// before it closed (a TLS 1.2 server refusing the client's
    /// certificate answers its first part with an alert and closes while
    /// the rest is on its way), so its alert is read, if it is there,
    /// rather than reporting the broken pipe.
    fn write_failed(&mut self, wire: &mut dyn Wire, e: io::Error) -> Error {
        if matches!(self.conn.read_tls(wire), Ok(n) if n > 0) {
            if let Err(tls) = self.conn.process_new_packets() {
                return handshake_error(&tls, &self.host, self.peer);
            }
        }
        self.io_error(e)
    }

    fn io_error(&self, e: io::Error) -> Error {
        handshake_failed(self.peer, &e.to_string())
    }

    /// Reads plaintext: what rustls holds first, else more ciphertext from
    /// the socket. `Ok(0)`: the server closed with close_notify;
    /// `UnexpectedEof`: it closed without; `WouldBlock`: nothing buffered
    /// and nothing on the socket.
    pub fn read(&mut self, wire: &mut dyn Wire, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(out) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                other => return other,
            }
            if self.conn.read_tls(wire)? == 0 {
                // The end of the stream: rustls now answers the read with
                // Ok(0) or UnexpectedEof.
                continue;
            }
            let state = self.conn.process_new_packets().map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("TLS error: {}", describe(&e)))
            })?;
            if state.peer_has_closed() && state.plaintext_bytes_to_read() == 0 {
                return Ok(0);
            }
            // Alerts or key updates may want an answer; the send path or
            // the next event writes what the socket does not take now.
            match self.flush(wire) {
                Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                _ => {}
            }
        }
    }

    /// Takes plaintext to send; returns how much was taken. Pending
    /// ciphertext goes out first, so rustls's buffer stays bounded.
    pub fn write(&mut self, wire: &mut dyn Wire, data: &[u8]) -> io::Result<usize> {
        self.flush(wire)?;
        let n = self.conn.writer().write(data)?;
        if n == 0 {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        match self.flush(wire) {
            Err(e) if e.kind() != io::ErrorKind::WouldBlock => Err(e),
            _ => Ok(n),
        }
    }

    /// A pooled connection's socket became readable: false when the
    /// connection cannot be reused (closed, or data nobody asked for).
    /// Session tickets arriving late are fine.
    pub fn idle_check(&mut self, wire: &mut dyn Wire) -> bool {
        match self.conn.read_tls(wire) {
            Ok(0) => false,
            Ok(_) => match self.conn.process_new_packets() {
                Ok(state) => !state.peer_has_closed() && state.plaintext_bytes_to_read() == 0,
                Err(_) => false,
            },
            Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        }
    }

    /// Sends close_notify, as far as the socket takes it at once: the
    /// connection is closed right after either way.
    pub fn close(&mut self, wire: &mut dyn Wire) {
        self.conn.send_close_notify();
        let _ = self.flush(wire);
    }
}
