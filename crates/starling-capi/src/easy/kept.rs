//! The options a C handle keeps beside the engine's handle, until they
//! become engine settings together.

use std::ffi::{c_char, c_long, c_void};
use std::ptr;
use std::sync::Arc;

use starling::alt_svc::AltSvc;
use starling::env::{Interface, Keepalive, LocalBind, SocketOptions};
use starling::hsts::Hsts;
use starling::{CertFormat, ClientCert, Method, TlsSource};

use super::cache_file::CacheFile;
use crate::fields::RequestFields;

/// The options a C handle keeps beside the engine's handle: those libcurl
/// lets a program set in any order and that become engine settings only
/// together, and the program's own pointers.
#[derive(Clone)]
pub(super) struct Kept {
    pub(super) private: *mut c_void,
    pub(super) error_buffer: *mut c_char,
    /// Upload settings, applied together whatever their order.
    pub(super) upload: bool,
    pub(super) infilesize: Option<u64>,
    /// POSTFIELDS or COPYPOSTFIELDS, with POSTFIELDSIZE.
    pub(super) postfields: PostFields,
    pub(super) postfieldsize: Option<u64>,
    /// POST set (a POST even without POSTFIELDS).
    pub(super) post: bool,
    /// NOBODY set: a HEAD.
    pub(super) nobody: bool,
    /// CUSTOMREQUEST: the method sent whatever the other options imply.
    pub(super) custom: Option<Method>,
    /// MIMEPOST, HTTPPOST and MIME_OPTIONS, and the body they made last.
    pub(super) mime: crate::mime::MimePost,
    pub(super) low_speed: (c_long, c_long),
    /// CURLOPT_FILETIME: CURLINFO_FILETIME reads the document's time.
    pub(super) filetime: bool,
    /// OPENSOCKETFUNCTION, SOCKOPTFUNCTION, CLOSESOCKETFUNCTION and their
    /// data, applied together.
    pub(super) sockets: crate::socket_hooks::SocketCallbacks,
    /// HSTS_CTRL and HSTS: the cache, its file, whether to write it.
    pub(super) hsts: CacheFile<Hsts>,
    /// ALTSVC_CTRL and ALTSVC: the alternative services cache, its file.
    pub(super) alt_svc: CacheFile<AltSvc>,
    /// COOKIEJAR: where the cookie jar is written at cleanup (and on a
    /// COOKIELIST `FLUSH`).
    pub(super) cookie_jar_file: Option<std::path::PathBuf>,
    /// UNIX_SOCKET_PATH, for the infos that name it.
    pub(super) unix_socket: Option<String>,
    /// TIMECONDITION and TIMEVALUE(_LARGE), applied together.
    pub(super) time_condition: (c_long, i64),
    /// TCP_NODELAY, TCP_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL, applied
    /// together.
    pub(super) tcp: TcpKept,
    /// The options that make request header fields (HTTPHEADER,
    /// USERAGENT, COOKIE, …), kept apart and combined on each change.
    pub(super) fields: RequestFields,
    /// The client certificate's options, combined on each change.
    pub(super) tls: TlsKept,
    /// CONNECT_ONLY as libcurl keeps it (an unsigned char): 1 connects
    /// only; any other nonzero value runs the whole transfer and lets
    /// `curl_easy_send` and `curl_easy_recv` use its connection after.
    pub(super) connect_only: u8,
    /// FRESH_CONNECT, which CONNECT_ONLY implies.
    pub(super) fresh_connect: bool,
    /// WS_OPTIONS: `CURLWS_RAW_MODE`.
    pub(super) ws_options: c_long,
    /// UPKEEP_INTERVAL_MS: how long a connection may show its server
    /// nothing before `curl_easy_upkeep` sends it a PING.
    pub(super) upkeep_interval_ms: c_long,
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            private: ptr::null_mut(),
            error_buffer: ptr::null_mut(),
            upload: false,
            infilesize: None,
            postfields: PostFields::None,
            postfieldsize: None,
            post: false,
            nobody: false,
            custom: None,
            mime: crate::mime::MimePost::default(),
            low_speed: (0, 0),
            filetime: false,
            time_condition: (0, 0),
            unix_socket: None,
            hsts: CacheFile::default(),
            cookie_jar_file: None,
            alt_svc: CacheFile::default(),
            sockets: crate::socket_hooks::SocketCallbacks::default(),
            tcp: TcpKept::default(),
            fields: RequestFields::default(),
            tls: TlsKept::default(),
            connect_only: 0,
            fresh_connect: false,
            ws_options: 0,
            upkeep_interval_ms: 60_000,
        }
    }
}

/// The socket options a program sets one at a time (libcurl's defaults:
/// no delay, keep-alive off, 60 s idle and interval when on, not bound).
#[derive(Clone)]
pub(super) struct TcpKept {
    pub nodelay: bool,
    pub keepalive: bool,
    pub idle: c_long,
    pub interval: c_long,
    /// INTERFACE, LOCALPORT and LOCALPORTRANGE.
    pub interface: Option<String>,
    pub local_port: u16,
    pub port_range: u16,
}

impl Default for TcpKept {
    fn default() -> Self {
        TcpKept {
            nodelay: true,
            keepalive: false,
            idle: 60,
            interval: 60,
            interface: None,
            local_port: 0,
            port_range: 1,
        }
    }
}

impl TcpKept {
    /// The engine's socket options these make.
    pub fn options(&self) -> SocketOptions {
        let secs = |s: c_long| std::time::Duration::from_secs(s.max(1) as u64);
        let bound = self.interface.is_some() || self.local_port != 0;
        SocketOptions {
            nodelay: self.nodelay,
            keepalive: self.keepalive.then(|| Keepalive {
                idle: secs(self.idle),
                interval: secs(self.interval),
            }),
            local: bound.then(|| {
                Arc::new(LocalBind {
                    interface: self.interface.as_deref().map(Interface::parse),
                    port: self.local_port,
                    port_range: self.port_range,
                })
            }),
        }
    }
}

/// A POSTFIELDS body.
#[derive(Clone)]
pub(super) enum PostFields {
    None,
    /// The program's buffer (POSTFIELDS), read when a transfer starts.
    Borrowed(*const c_void),
    /// COPYPOSTFIELDS' copy.
    Copied(Vec<u8>),
}

/// The client certificate's options, combined into the engine's
/// [`ClientCert`] on every change (libcurl lets a program set them in any
/// order).
#[derive(Clone, Default)]
pub(super) struct TlsKept {
    pub(super) cert: Option<String>,
    pub(super) cert_blob: Option<Arc<[u8]>>,
    pub(super) cert_type: Option<String>,
    pub(super) key: Option<String>,
    pub(super) key_blob: Option<Arc<[u8]>>,
    pub(super) key_type: Option<String>,
    pub(super) password: Option<String>,
}

impl TlsKept {
    /// The certificate libcurl would send: a blob before a file, the key
    /// from its own blob or file or else from the certificate's.
    pub(super) fn client_cert(&self) -> Option<ClientCert> {
        let cert = match (&self.cert_blob, &self.cert) {
            (Some(blob), _) => TlsSource::Bytes(Arc::clone(blob)),
            (None, Some(path)) => TlsSource::File(path.into()),
            (None, None) => return None,
        };
        let key = match (&self.key_blob, &self.key) {
            (Some(blob), _) => Some(TlsSource::Bytes(Arc::clone(blob))),
            (None, Some(path)) => Some(TlsSource::File(path.into())),
            (None, None) => None,
        };
        Some(ClientCert {
            cert,
            cert_format: CertFormat::from_name(self.cert_type.as_deref().unwrap_or("")),
            key,
            key_format: CertFormat::from_name(self.key_type.as_deref().unwrap_or("")),
            password: self.password.clone(),
        })
    }
}
