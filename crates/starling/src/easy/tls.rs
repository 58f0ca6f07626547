//! A handle's TLS options: whom to trust (CA files, directories, bytes,
//! the system's store), how far to verify, which protocol versions, a
//! pinned public key and a client certificate. Connections are shared only
//! among transfers whose TLS options are equal (see `TlsOptions`).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A TLS protocol version, as the lower or upper bound of
/// [`Easy::tls_versions`](super::Easy::tls_versions). rustls speaks TLS 1.2
/// and 1.3 only: a minimum below 1.2 means 1.2, and a maximum below 1.2
/// cannot be met (the transfer fails with
/// [`ErrorKind::SslConnect`](crate::ErrorKind::SslConnect)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.0 (not spoken).
    Tls1_0,
    /// TLS 1.1 (not spoken).
    Tls1_1,
    /// TLS 1.2.
    Tls1_2,
    /// TLS 1.3.
    Tls1_3,
}

/// The range of TLS versions a handle's connections may use; `None` is no
/// bound (libcurl's `CURLOPT_SSLVERSION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TlsVersions {
    /// The lowest version allowed.
    pub min: Option<TlsVersion>,
    /// The highest version allowed.
    pub max: Option<TlsVersion>,
}

impl TlsVersions {
    /// No bounds: TLS 1.2 and 1.3.
    pub const ANY: TlsVersions = TlsVersions { min: None, max: None };
}

/// Where a certificate or key is read from.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum TlsSource {
    /// A file, read when a connection needs it.
    File(PathBuf),
    /// Bytes given in memory (libcurl's `_BLOB` options).
    Bytes(Arc<[u8]>),
}

impl fmt::Debug for TlsSource {
    // A key's bytes stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSource::File(path) => f.debug_tuple("File").field(path).finish(),
            TlsSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
        }
    }
}

/// How a client certificate or key is encoded (libcurl's
/// `CURLOPT_SSLCERTTYPE` and `CURLOPT_SSLKEYTYPE`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum CertFormat {
    /// PEM: certificates, and a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key.
    #[default]
    Pem,
    /// DER: one certificate, or one key of those kinds.
    Der,
    /// Any other name ("P12", "ENG", …): not supported, the transfer fails
    /// with [`ErrorKind::SslCertProblem`](crate::ErrorKind::SslCertProblem).
    Other(String),
}

impl CertFormat {
    /// The format libcurl's name stands for (any case; empty is PEM).
    pub fn from_name(name: &str) -> CertFormat {
        if name.is_empty() || name.eq_ignore_ascii_case("PEM") {
            CertFormat::Pem
        } else if name.eq_ignore_ascii_case("DER") {
            CertFormat::Der
        } else {
            CertFormat::Other(name.to_owned())
        }
    }

    /// The name as libcurl's messages give it.
    pub fn name(&self) -> &str {
        match self {
            CertFormat::Pem => "PEM",
            CertFormat::Der => "DER",
            CertFormat::Other(name) => name,
        }
    }
}

/// A client certificate and its private key, sent when a server asks for
/// one (libcurl's `CURLOPT_SSLCERT`, `CURLOPT_SSLKEY`, their `_BLOB` and
/// `TYPE` options and `CURLOPT_KEYPASSWD`).
///
/// Read when a connection needs it; a certificate or key that cannot be
/// read fails the transfer with
/// [`ErrorKind::SslCertProblem`](crate::ErrorKind::SslCertProblem).
/// Encrypted keys cannot be read (no crate at hand decrypts them): they
/// fail so too, whatever the password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientCert {
    /// The certificate (a PEM file may hold its chain after it; with no
    /// separate key, the key too).
    pub cert: TlsSource,
    /// The certificate's encoding.
    pub cert_format: CertFormat,
    /// The private key; `None`: in the certificate's file or bytes.
    pub key: Option<TlsSource>,
    /// The key's encoding.
    pub key_format: CertFormat,
    /// The key's password (only an encrypted key needs one).
    pub password: Option<String>,
}

impl ClientCert {
    /// The PEM certificate (and key, unless [`ClientCert::key`] is set)
    /// in `cert`.
    pub fn new(cert: TlsSource) -> ClientCert {
        ClientCert {
            cert,
            cert_format: CertFormat::Pem,
            key: None,
            key_format: CertFormat::Pem,
            password: None,
        }
    }
}

impl fmt::Debug for ClientCert {
    // The password stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCert")
            .field("cert", &self.cert)
            .field("cert_format", &self.cert_format)
            .field("key", &self.key)
            .field("key_format", &self.key_format)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl super::Easy {
    /// Trust the CA certificates of this PEM file instead of the system's
    /// (`CURLOPT_CAINFO`, curl's `--cacert`).
    pub fn cainfo(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.inner.extras_mut().tls.cainfo = Some(path.into());
        self
    }

    /// Trust the CA certificates of the PEM files in this directory instead
    /// of the system's (`CURLOPT_CAPATH`).
    pub fn capath(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.inner.extras_mut().tls.capath = Some(dir.into());
        self
    }

    /// Trust the CA certificates of these PEM bytes instead of the system's
    /// and instead of [`Easy::cainfo`](crate::Easy::cainfo)'s file (`CURLOPT_CAINFO_BLOB`);
    /// `None` forgets them. Bytes holding no certificate fail the transfer
    /// with [`ErrorKind::SslCacertBadFile`](crate::ErrorKind::SslCacertBadFile).
    pub fn ca_pem(&mut self, pem: Option<Arc<[u8]>>) -> &mut Self {
        self.inner.extras_mut().tls.ca_blob = pem;
        self
    }

    /// Trust the system's CA store besides the CA file, bytes or directory
    /// set (libcurl's `CURLSSLOPT_NATIVE_CA`); without any of those the
    /// system's store is used anyway.
    pub fn native_ca(&mut self, on: bool) -> &mut Self {
        self.inner.extras_mut().tls.native_ca = on;
        self
    }

    /// Accept any server certificate: no chain, expiry or host name check
    /// (curl's `-k`, `--insecure`). Never the default; the connection is
    /// still encrypted, but anyone on the path can pretend to be the server.
    pub fn insecure(&mut self, insecure: bool) -> &mut Self {
        let tls = &mut self.inner.extras_mut().tls;
        tls.verify_peer = !insecure;
        tls.verify_host = !insecure;
        self
    }

    /// Verify the server's certificate chain (`CURLOPT_SSL_VERIFYPEER`);
    /// on by default.
    pub fn verify_peer(&mut self, verify: bool) -> &mut Self {
        self.inner.extras_mut().tls.verify_peer = verify;
        self
    }

    /// Verify that the certificate names the host (`CURLOPT_SSL_VERIFYHOST`);
    /// on by default.
    pub fn verify_host(&mut self, verify: bool) -> &mut Self {
        self.inner.extras_mut().tls.verify_host = verify;
        self
    }

    /// The TLS versions connections may use (`CURLOPT_SSLVERSION`); see
    /// [`TlsVersion`] for what rustls can meet. A maximum below the
    /// minimum fails the transfer with
    /// [`ErrorKind::SslConnect`](crate::ErrorKind::SslConnect).
    pub fn tls_versions(&mut self, versions: TlsVersions) -> &mut Self {
        self.inner.extras_mut().tls.versions = versions;
        self
    }

    /// Accept the server only if its certificate's public key is this one
    /// (`CURLOPT_PINNEDPUBLICKEY`), checked after (and even without) the
    /// certificate's verification: `sha256//BASE64` with more hashes after
    /// `;`, each the base64 of the SHA-256 of the key's DER
    /// SubjectPublicKeyInfo, or the path of a file holding the key (DER, or
    /// PEM `PUBLIC KEY`). Another key fails the transfer with
    /// [`ErrorKind::SslPinnedPubkeyNotMatch`](crate::ErrorKind::SslPinnedPubkeyNotMatch),
    /// as does a file that cannot be read. `None` pins nothing.
    pub fn pinned_public_key(&mut self, pin: Option<&str>) -> &mut Self {
        self.inner.extras_mut().tls.pin = pin.map(Arc::from);
        self
    }

    /// The client certificate sent when a server asks for one; `None`
    /// sends none.
    pub fn client_cert(&mut self, cert: Option<ClientCert>) -> &mut Self {
        self.inner.extras_mut().tls.client_cert = cert.map(Arc::new);
        self
    }
}
