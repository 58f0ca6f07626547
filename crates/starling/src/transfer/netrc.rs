//! A transfer's `.netrc` lookup, as libcurl 7.88.1 does it for each host a
//! request goes to when `CURLOPT_NETRC` asks and no user option is set:
//! the file read (the option's, else `$HOME/.netrc`), the entry for the
//! host found, and what it gives merged with the URL's credentials. The
//! URL's user stays; its password too, unless the file gives one and the
//! lookup is required (optional: a URL with a password is left alone).
//! An entry not found leaves the URL's credentials as they are; a file
//! that cannot be read as `.netrc` fails the transfer.

use std::path::PathBuf;

use super::state::Transfer;
use crate::auth::{netrc_lookup, NetrcMiss, UserPassword};
use crate::easy::NetrcMode;
use crate::error::{Error, ErrorKind};

/// What `.netrc` gave for the current request's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NetrcCredentials(pub UserPassword);

/// libcurl's `.netrc` path when none is set: in `$HOME`.
fn default_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".netrc"))
}

impl Transfer {
    /// Looks the current request's host up in `.netrc`, when the handle
    /// asks for it and sets no user of its own. An error when the file
    /// is not `.netrc`.
    pub(super) fn netrc_lookup(&mut self) -> Result<(), Error> {
        if let Some(aside) = self.aside.as_mut() {
            aside.netrc = None;
        }
        let options = &self.easy.inner.extras().auth;
        if options.netrc == NetrcMode::Ignored || options.user.is_some() {
            return Ok(());
        }
        let required = options.netrc == NetrcMode::Required;
        let target = &self.route().target;
        let url = target.credentials();
        // Optional: a URL with a user and a password needs no file.
        if !required && url.is_some_and(|c| !c.user.is_empty() && !c.password.is_empty()) {
            return Ok(());
        }
        let file = options.netrc_file.clone().or_else(default_file);
        let host = target.host().to_owned();
        let user = url.map(|c| &*c.user).filter(|u| !u.is_empty());
        let found = match file.as_ref().and_then(|f| std::fs::read(f).ok()) {
            Some(text) => netrc_lookup(&text, &host, user),
            None => Err(NetrcMiss::NoEntry),
        };
        let found = match found {
            Ok(found) => found,
            Err(NetrcMiss::Syntax) => {
                return Err(Error::new(ErrorKind::ReadError, ".netrc parser error"));
            }
            Err(NetrcMiss::NoEntry) => {
                let name = file.as_ref().map_or("(nil)".into(), |f| f.display().to_string());
                self.easy
                    .inner
                    .trace_text(|| format!("Couldn't find host {host} in the {name} file; using defaults"));
                return Ok(());
            }
        };
        let password = found
            .password
            .or_else(|| url.map(|c| c.password.to_vec()).filter(|p| !p.is_empty()));
        let user = user.map(<[u8]>::to_vec).or(found.login);
        // A password without a user: an empty user (libcurl).
        let Some(user) = user.or(password.as_ref().map(|_| Vec::new())) else {
            return Ok(());
        };
        let credentials = UserPassword {
            user: user.into(),
            password: password.unwrap_or_default().into(),
        };
        self.aside_mut().netrc = Some(Box::new(NetrcCredentials(credentials)));
        Ok(())
    }

    /// What `.netrc` gave for the current request's host.
    pub(super) fn netrc(&self) -> Option<&NetrcCredentials> {
        self.aside.as_ref().and_then(|a| a.netrc.as_deref())
    }
}
