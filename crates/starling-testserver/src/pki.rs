//! An in-memory certificate authority for HTTPS tests: CAs and server
//! certificates are made with rcgen when a test runs, so no key or
//! certificate is checked in and none can expire in the repository.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::RootCertStore;

/// A test certificate authority, generated in memory (ECDSA P-256).
///
/// Every `TestPki` has its own fresh key, so two of them never trust each
/// other's certificates: [`TestPki::other`] is the conventional "unknown CA"
/// for a leaf a client must reject.
///
/// The files and directories made by [`TestPki::write_ca_file`] and
/// [`TestPki::ca_dir`] are removed when the `TestPki` is dropped, so keep it
/// alive while a client may still read them.
///
/// ```
/// use starling_testserver::{TestPki, TlsServer};
///
/// let pki = TestPki::new();
/// let server = TlsServer::start(pki.leaf(&["localhost", "127.0.0.1"]));
/// let ca_file = pki.write_ca_file();
/// assert!(std::fs::read_to_string(&ca_file).unwrap().contains("BEGIN CERTIFICATE"));
/// assert!(server.url("/bytes/10").starts_with("https://127.0.0.1:"));
/// ```
pub struct TestPki {
    name: String,
    cert: Certificate,
    key: KeyPair,
    /// Temp directories to remove on drop.
    dirs: Mutex<Vec<PathBuf>>,
}

impl TestPki {
    /// A new CA ("Starling Test CA") with a fresh key. Panics if rcgen fails.
    pub fn new() -> TestPki {
        TestPki::with_name("Starling Test CA")
    }

    /// A second CA ("Starling Other Test CA"), unrelated to any other
    /// `TestPki`: a client trusting only it rejects the leaves of
    /// [`TestPki::new`], and the other way round.
    pub fn other() -> TestPki {
        TestPki::with_name("Starling Other Test CA")
    }

    fn with_name(name: &str) -> TestPki {
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("starling-testserver: CA key: {e}"));
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name(name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2999, 12, 31);
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| panic!("starling-testserver: CA certificate: {e}"));
        TestPki {
            name: name.to_owned(),
            cert,
            key,
            dirs: Mutex::new(Vec::new()),
        }
    }

    /// The CA certificate, PEM-encoded.
    pub fn ca_pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA certificate, DER-encoded.
    pub fn ca_der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// A rustls root store holding only this CA, for plain rustls clients.
    pub fn root_store(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(self.ca_der())
            .unwrap_or_else(|e| panic!("starling-testserver: CA not usable as a root: {e}"));
        roots
    }

    /// Writes the CA PEM to `ca.pem` in a fresh directory under
    /// [`std::env::temp_dir`] and returns the file's path (a `CAINFO`
    /// file). Removed when the `TestPki` is dropped. Panics on I/O errors.
    pub fn write_ca_file(&self) -> PathBuf {
        self.ca_dir().join("ca.pem")
    }

    /// A fresh directory under [`std::env::temp_dir`] holding the CA PEM as
    /// `ca.pem` and nothing else (a `CAPATH` directory). Removed when the
    /// `TestPki` is dropped. Panics on I/O errors.
    pub fn ca_dir(&self) -> PathBuf {
        let dir = fresh_temp_dir();
        // Recorded before writing so that a failed write still cleans up.
        self.dirs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.clone());
        write_file(&dir.join("ca.pem"), &self.ca_pem());
        dir
    }

    /// A server certificate for `names` (DNS names such as `"tls.test"` or
    /// `"*.tls.test"`, or IP literals such as `"127.0.0.1"`, which become IP
    /// address SANs), signed by this CA and valid from 2020 to 2100. The
    /// first name is also the subject's common name. Panics if a name is not
    /// a valid DNS name or IP address.
    pub fn leaf(&self, names: &[&str]) -> ServerCert {
        self.make_leaf(names, (2020, 2100))
    }

    /// Like [`TestPki::leaf`], but valid only during the year 2000, so its
    /// `notAfter` is long past: a verifying client must reject it as
    /// expired.
    pub fn expired_leaf(&self, names: &[&str]) -> ServerCert {
        self.make_leaf(names, (2000, 2001))
    }

    /// A client certificate for `name` (its common name), signed by this
    /// CA, valid from 2020 to 2100 for client authentication only: for a
    /// [`TlsServer`](crate::TlsServer) whose
    /// [`TlsServerOptions::client_ca`](crate::TlsServerOptions::client_ca)
    /// is this CA. (The type is the server's: a chain and its key.)
    pub fn client_cert(&self, name: &str) -> ServerCert {
        let mut params = CertificateParams::default();
        params.distinguished_name = common_name(name);
        params.not_before = date_time_ymd(2020, 1, 1);
        params.not_after = date_time_ymd(2100, 1, 1);
        self.sign(params, ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn make_leaf(&self, names: &[&str], years: (i32, i32)) -> ServerCert {
        self.sign(server_params(names, years), ExtendedKeyUsagePurpose::ServerAuth)
    }

    fn sign(&self, mut params: CertificateParams, purpose: ExtendedKeyUsagePurpose) -> ServerCert {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![purpose];
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("starling-testserver: leaf key: {e}"));
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .unwrap_or_else(|e| panic!("starling-testserver: leaf certificate: {e}"));
        ServerCert::new(&cert, &key)
    }
}

impl Default for TestPki {
    fn default() -> TestPki {
        TestPki::new()
    }
}

impl fmt::Debug for TestPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestPki")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for TestPki {
    fn drop(&mut self) {
        let dirs = std::mem::take(self.dirs.get_mut().unwrap_or_else(|e| e.into_inner()));
        for dir in dirs {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A server certificate chain (the leaf only; the CA is the client's trust
/// anchor) and its private key, from [`TestPki::leaf`] or
/// [`TestPki::expired_leaf`], for [`TlsServer::start`](crate::TlsServer::start).
#[derive(Clone)]
pub struct ServerCert {
    chain: Vec<CertificateDer<'static>>,
    /// PKCS#8; kept as bytes because `PrivateKeyDer` is not `Clone`.
    key_der: Vec<u8>,
    cert_pem: String,
    key_pem: String,
}

impl ServerCert {
    /// A self-signed certificate for `names` (as in [`TestPki::leaf`]),
    /// made as `openssl req -x509 -newkey ... -subj /CN=<first name>
    /// -addext subjectAltName=...` makes one: basic constraints `CA:TRUE`
    /// (critical), subject and authority key identifiers, no key usage
    /// and no extended key usage, issuer = subject. Valid from 2020 to 2100;
    /// ECDSA P-256 where openssl's example takes RSA, which rcgen cannot
    /// generate. A client trusts it only by having it in its CA file.
    pub fn self_signed(names: &[&str]) -> ServerCert {
        ServerCert::make_self_signed(names, (2020, 2100))
    }

    /// Like [`ServerCert::self_signed`], but valid only during the year
    /// 2000: a client must reject it as expired even when it trusts it.
    pub fn expired_self_signed(names: &[&str]) -> ServerCert {
        ServerCert::make_self_signed(names, (2000, 2001))
    }

    fn make_self_signed(names: &[&str], years: (i32, i32)) -> ServerCert {
        let mut params = server_params(names, years);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap_or_else(|e| panic!("starling-testserver: key: {e}"));
        let cert = params
            .self_signed(&key)
            .unwrap_or_else(|e| panic!("starling-testserver: self-signed certificate: {e}"));
        ServerCert::new(&cert, &key)
    }

    fn new(cert: &Certificate, key: &KeyPair) -> ServerCert {
        ServerCert {
            chain: vec![cert.der().clone()],
            key_der: key.serialize_der(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A certificate and key made elsewhere (`openssl req -x509 ...`), from
    /// their PEM text: the chain's certificates and a PKCS#8 key (what
    /// `openssl req -newkey` writes).
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<ServerCert, String> {
        use rustls::pki_types::pem::PemObject;
        let chain = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("certificate PEM: {e}"))?;
        if chain.is_empty() {
            return Err("no certificate in the PEM text".into());
        }
        let key =
            PrivatePkcs8KeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| format!("key PEM: {e}"))?;
        Ok(ServerCert {
            chain,
            key_der: key.secret_pkcs8_der().to_vec(),
            cert_pem: cert_pem.to_string(),
            key_pem: key_pem.to_string(),
        })
    }

    /// The certificate chain, leaf first, DER-encoded.
    pub fn cert_chain(&self) -> Vec<CertificateDer<'static>> {
        self.chain.clone()
    }

    /// The private key (PKCS#8), DER-encoded.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivatePkcs8KeyDer::from(self.key_der.clone()).into()
    }

    /// The certificate chain, PEM-encoded.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key (PKCS#8), PEM-encoded.
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The private key (PKCS#8), DER-encoded.
    pub fn key_der(&self) -> &[u8] {
        &self.key_der
    }

    /// The certificate's public key as a DER SubjectPublicKeyInfo (what
    /// a pinned public key is computed from).
    pub fn public_key_der(&self) -> Vec<u8> {
        self.key_pair().public_key_der()
    }

    /// The certificate's public key, PEM-encoded (`PUBLIC KEY`).
    pub fn public_key_pem(&self) -> String {
        self.key_pair().public_key_pem()
    }

    fn key_pair(&self) -> KeyPair {
        KeyPair::from_pem(&self.key_pem)
            .unwrap_or_else(|e| panic!("starling-testserver: the key's own PEM: {e}"))
    }
}

impl fmt::Debug for ServerCert {
    // The key stays out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerCert")
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// A server certificate's parameters: `names` as subject alternative names,
/// the first also as the common name, an authority key identifier, valid
/// from the first of January of one year to that of the other.
fn server_params(names: &[&str], (from_year, to_year): (i32, i32)) -> CertificateParams {
    let sans: Vec<String> = names.iter().map(|name| (*name).to_owned()).collect();
    let mut params = CertificateParams::new(sans)
        .unwrap_or_else(|e| panic!("starling-testserver: bad certificate names {names:?}: {e}"));
    params.distinguished_name = common_name(names.first().copied().unwrap_or("starling test server"));
    params.use_authority_key_identifier_extension = true;
    params.not_before = date_time_ymd(from_year, 1, 1);
    params.not_after = date_time_ymd(to_year, 1, 1);
    params
}

fn common_name(name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    dn
}

/// Creates a new, uniquely named directory under the system temp dir.
fn fresh_temp_dir() -> PathBuf {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // `create_dir` fails on an existing path, so a leftover from an earlier
    // process with the same pid is skipped rather than reused.
    for _ in 0..100 {
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "starling-testpki-{}-{seq}-{nanos:09}",
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => panic!("starling-testserver: cannot create {}: {e}", dir.display()),
        }
    }
    panic!("starling-testserver: no free temp directory name after 100 tries");
}

fn write_file(path: &Path, contents: &str) {
    std::fs::write(path, contents)
        .unwrap_or_else(|e| panic!("starling-testserver: cannot write {}: {e}", path.display()));
}
