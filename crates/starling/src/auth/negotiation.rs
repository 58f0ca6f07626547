//! The negotiation of one side (the server's or the proxy's) as libcurl
//! runs it: the methods wanted, the one picked, what the last challenge
//! offered, whether the credentials went out; the answer each request
//! carries, the challenges each 401 (or 407) brings, and whether the
//! request goes again.

use super::basic::basic_credentials;
use super::challenge::{challenges, Scheme};
use super::digest::DigestSession;
use super::methods::AuthMethods;

/// The credentials of one side.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials<'a> {
    pub user: Option<&'a [u8]>,
    pub password: Option<&'a [u8]>,
    /// A bearer token (servers only).
    pub bearer: Option<&'a str>,
}

impl Credentials<'_> {
    /// Whether there is anything to authenticate with.
    pub fn any(&self) -> bool {
        self.user.is_some() || self.bearer.is_some()
    }
}

/// One side's negotiation, kept from transfer to transfer of a handle as
/// libcurl keeps it (a Digest nonce is used again, its count going on).
#[derive(Debug, Clone, Default)]
pub struct AuthSide {
    want: AuthMethods,
    /// Digest's `uri` without the query.
    ie_style: bool,
    picked: AuthMethods,
    /// What this response's challenges offered (libcurl's `authp->avail`).
    offered: AuthMethods,
    /// The credentials went out (or need not).
    done: bool,
    /// A method was named whose exchange is not over.
    multipass: bool,
    digest: DigestSession,
}

impl AuthSide {
    /// A transfer starts with these methods wanted (libcurl's pretransfer):
    /// a method picked earlier is kept when it is still wanted.
    pub fn begin(&mut self, want: AuthMethods, ie_style: bool) {
        self.want = want;
        self.ie_style = ie_style;
        self.picked = self.picked & want;
    }

    /// The method picked.
    #[cfg(test)]
    pub fn picked(&self) -> AuthMethods {
        self.picked
    }

    /// The exchange is named but not over: a POST goes out as an empty
    /// probe (libcurl's `multipass && !done`).
    pub fn pending(&self) -> bool {
        self.multipass && !self.done
    }

    /// Marks the side done without sending anything (no credentials, or
    /// not for this host).
    pub fn skip(&mut self) {
        self.done = true;
    }

    /// Whether the side's credentials went out.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The field value a request carries and the method's name for the
    /// trace (libcurl's `output_auth_headers`). `own_field`: the request
    /// brings its own field, which Basic and Bearer leave alone. The name
    /// comes without a value while Digest has no nonce yet.
    pub fn output(
        &mut self,
        creds: Credentials<'_>,
        own_field: bool,
        method: &str,
        uri: &str,
    ) -> (Option<&'static str>, Option<String>) {
        if !self.want.is_empty() && self.picked.is_empty() {
            self.picked = self.want;
        }
        let (name, value) = if self.picked == AuthMethods::DIGEST {
            let uri = match self.ie_style {
                true => uri.split('?').next().unwrap_or(uri),
                false => uri,
            };
            let value = self.digest.answer(
                creds.user.unwrap_or_default(),
                creds.password.unwrap_or_default(),
                method,
                uri,
            );
            self.done = value.is_some();
            (Some("Digest"), value)
        } else if self.picked == AuthMethods::BASIC {
            self.done = true;
            match creds.user {
                Some(user) if !own_field => (
                    Some("Basic"),
                    Some(basic_credentials(user, creds.password.unwrap_or_default())),
                ),
                _ => (None, None),
            }
        } else if self.picked == AuthMethods::BEARER && creds.bearer.is_some() {
            self.done = true;
            match creds.bearer {
                Some(token) if !own_field => (Some("Bearer"), Some(format!("Bearer {token}"))),
                _ => (None, None),
            }
        } else {
            (None, None)
        };
        self.multipass = name.is_some() && !self.done;
        (name, value)
    }

    /// Reads one challenge field of a 401 (or 407): the methods it offers,
    /// and each of libcurl's words about it (`said`). Returns whether it
    /// shows a problem (credentials refused, a bad challenge): negotiation
    /// stops there.
    pub fn read_challenge(
        &mut self,
        value: &[u8],
        offered: &mut AuthMethods,
        said: &mut impl FnMut(&'static str),
    ) -> bool {
        let mut problem = false;
        for (scheme, params) in challenges(value) {
            let method = match scheme {
                Scheme::Basic => AuthMethods::BASIC,
                Scheme::Digest => AuthMethods::DIGEST,
                Scheme::Bearer => AuthMethods::BEARER,
            };
            if scheme == Scheme::Digest && self.offered.contains(method) {
                said("Ignoring duplicate digest auth header.");
                continue;
            }
            *offered = *offered | method;
            self.offered = self.offered | method;
            let refused = match scheme {
                Scheme::Digest => self.digest.take_challenge(params).is_err(),
                // Asked with these credentials and refused all the same.
                _ => self.picked == method,
            };
            if refused {
                if scheme != Scheme::Digest {
                    self.offered = AuthMethods::NONE;
                }
                said("Authentication problem. Ignoring this.");
                problem = true;
            }
        }
        problem
    }

    /// libcurl's `pickoneauth`: the strongest method both offered and
    /// wanted, the offers forgotten. False when there is none.
    pub fn pick(&mut self) -> bool {
        let both = self.offered & self.want;
        self.picked = [AuthMethods::BEARER, AuthMethods::DIGEST, AuthMethods::BASIC]
            .into_iter()
            .find(|m| both.contains(*m))
            .unwrap_or(AuthMethods::NONE);
        self.offered = AuthMethods::NONE;
        !self.picked.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDS: Credentials<'static> = Credentials {
        user: Some(b"u"),
        password: Some(b"p"),
        bearer: None,
    };

    fn read(side: &mut AuthSide, value: &str) -> (AuthMethods, bool, Vec<&'static str>) {
        let mut offered = AuthMethods::NONE;
        let mut words = Vec::new();
        let problem = side.read_challenge(value.as_bytes(), &mut offered, &mut |w| words.push(w));
        (offered, problem, words)
    }

    #[test]
    fn basic_alone_goes_out_at_once() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::BASIC, false);
        let (name, value) = side.output(CREDS, false, "GET", "/");
        assert_eq!((name, value.as_deref()), (Some("Basic"), Some("Basic dTpw")));
        assert!(side.is_done() && !side.pending());
        // Refused: a problem, and nothing to pick.
        let (offered, problem, words) = read(&mut side, "Basic realm=\"r\"");
        assert_eq!((offered, problem), (AuthMethods::BASIC, true));
        assert_eq!(words, ["Authentication problem. Ignoring this."]);
        assert!(!side.pick());
    }

    #[test]
    fn any_asks_first_then_picks_the_strongest() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::ANY.as_set().unwrap().0, false);
        assert_eq!(side.output(CREDS, false, "GET", "/"), (None, None));
        let (offered, problem, _) = read(&mut side, "Basic realm=\"r\"");
        assert!(!problem);
        let (more, _, _) = read(&mut side, "Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
        assert_eq!((offered | more).bits(), 3);
        assert!(side.pick());
        assert_eq!(side.picked(), AuthMethods::DIGEST);
        let (name, value) = side.output(CREDS, false, "GET", "/x");
        assert_eq!(name, Some("Digest"));
        assert!(value.unwrap().contains("uri=\"/x\", cnonce="));
        // The next transfer of the handle answers at once, counting on.
        side.begin(AuthMethods::ANY.as_set().unwrap().0, false);
        assert!(side
            .output(CREDS, false, "GET", "/x")
            .1
            .unwrap()
            .contains("nc=00000002"));
    }

    #[test]
    fn digest_alone_is_named_before_its_nonce_is_known() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::DIGEST, true);
        assert_eq!(side.output(CREDS, false, "POST", "/a?b"), (Some("Digest"), None));
        assert!(side.pending());
        read(&mut side, "Digest realm=\"r\", nonce=\"n\"");
        assert!(side.pick());
        // IE style: the query left out of the uri.
        let value = side.output(CREDS, false, "POST", "/a?b").1.unwrap();
        assert!(value.contains("uri=\"/a\""), "{value}");
        assert!(!side.pending());
        // The same nonce again, not stale: the password was wrong.
        let (_, problem, words) = read(&mut side, "Digest realm=\"r\", nonce=\"n\"");
        assert!(problem);
        assert_eq!(words, ["Authentication problem. Ignoring this."]);
    }

    #[test]
    fn an_offer_not_wanted_is_not_picked() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::ANYSAFE.as_set().unwrap().0, false);
        read(&mut side, "Basic realm=\"r\"");
        assert!(!side.pick());
        let mut side = AuthSide::default();
        side.begin(AuthMethods::NONE, false);
        read(&mut side, "Basic realm=\"r\"");
        assert!(!side.pick());
    }

    #[test]
    fn a_duplicate_digest_is_ignored() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::DIGEST, false);
        read(&mut side, "Digest nonce=\"a\"");
        let (offered, problem, words) = read(&mut side, "Digest nonce=\"b\"");
        assert_eq!((offered, problem), (AuthMethods::NONE, false));
        assert_eq!(words, ["Ignoring duplicate digest auth header."]);
    }

    #[test]
    fn bearer_needs_its_token() {
        let mut side = AuthSide::default();
        side.begin(AuthMethods::BEARER, false);
        assert_eq!(side.output(CREDS, false, "GET", "/"), (None, None));
        let creds = Credentials {
            bearer: Some("t"),
            ..Credentials::default()
        };
        let (name, value) = side.output(creds, false, "GET", "/");
        assert_eq!((name, value.as_deref()), (Some("Bearer"), Some("Bearer t")));
        // The request's own Authorization wins.
        assert_eq!(side.output(creds, true, "GET", "/"), (None, None));
    }
}
