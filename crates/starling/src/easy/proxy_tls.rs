//! How a handle verifies an HTTPS proxy: options of their own, apart from
//! the origin's (libcurl's `CURLOPT_PROXY_CAINFO` and kin), so trusting a
//! proxy never widens whom the origin may be, and the reverse.

use std::path::PathBuf;

impl super::Easy {
    /// Trust the CA certificates of this PEM file for an HTTPS proxy,
    /// instead of the system's (`CURLOPT_PROXY_CAINFO`, curl's
    /// `--proxy-cacert`). [`Easy::cainfo`](super::Easy::cainfo) does not
    /// apply to the proxy.
    pub fn proxy_cainfo(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.inner.extras_mut().proxy_tls.cainfo = Some(path.into());
        self
    }

    /// Trust the CA certificates of the PEM files in this directory for
    /// an HTTPS proxy (`CURLOPT_PROXY_CAPATH`, curl's `--proxy-capath`).
    pub fn proxy_capath(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.inner.extras_mut().proxy_tls.capath = Some(dir.into());
        self
    }

    /// Verify an HTTPS proxy's certificate chain
    /// (`CURLOPT_PROXY_SSL_VERIFYPEER`); on by default.
    pub fn proxy_verify_peer(&mut self, verify: bool) -> &mut Self {
        self.inner.extras_mut().proxy_tls.verify_peer = verify;
        self
    }

    /// Verify that an HTTPS proxy's certificate names the proxy's host
    /// (`CURLOPT_PROXY_SSL_VERIFYHOST`); on by default.
    pub fn proxy_verify_host(&mut self, verify: bool) -> &mut Self {
        self.inner.extras_mut().proxy_tls.verify_host = verify;
        self
    }

    /// Accept any certificate from an HTTPS proxy (curl's
    /// `--proxy-insecure`): the session to the proxy is still encrypted,
    /// but anyone on the path can pretend to be the proxy. The origin is
    /// verified as before.
    pub fn proxy_insecure(&mut self, insecure: bool) -> &mut Self {
        let tls = &mut self.inner.extras_mut().proxy_tls;
        tls.verify_peer = !insecure;
        tls.verify_host = !insecure;
        self
    }
}
