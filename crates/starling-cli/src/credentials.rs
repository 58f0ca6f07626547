//! The credentials flags (`-u`, `--basic`, `--digest`, `--anyauth`,
//! `--oauth2-bearer`, `-n`, `--netrc-optional`, `--netrc-file`, `-U`,
//! `--proxy-basic`, `--proxy-digest`, `--proxy-anyauth`,
//! `--location-trusted`) as curl's tool turns them into options.

use starling::{AuthMethods, Easy, NetrcMode};

use crate::args::Args;

/// What the flags say about credentials.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `-u`: user, and password when given.
    user: Option<(String, Option<String>)>,
    /// `--basic`, `--digest`, `--anyauth`, and Bearer with a token.
    methods: Option<AuthMethods>,
    bearer: Option<String>,
    /// `-U`: the proxy's user and password.
    proxy_user: Option<(String, Option<String>)>,
    proxy_methods: Option<AuthMethods>,
    /// `--location-trusted`.
    unrestricted: bool,
    /// `-n`, `--netrc-optional`, `--netrc-file`.
    netrc: NetrcMode,
    netrc_file: Option<std::path::PathBuf>,
}

/// `USER[:PASSWORD]`; curl prompts for a password it lacks, starling
/// does not.
fn user_password(flag: &str, given: &str) -> Result<(String, Option<String>), String> {
    match given.split_once(':') {
        Some((user, password)) => Ok((user.to_owned(), Some(password.to_owned()))),
        None => Err(format!(
            "{flag} {given}: give USER:PASSWORD (starling does not prompt for a password)"
        )),
    }
}

impl Credentials {
    /// The flags read; `-u` without a password is refused.
    pub fn from_args(args: &Args) -> Result<Credentials, String> {
        let mut methods = if args.anyauth {
            Some(AuthMethods::ANY)
        } else if args.digest {
            Some(AuthMethods::DIGEST)
        } else if args.basic {
            Some(AuthMethods::BASIC)
        } else {
            None
        };
        if args.oauth2_bearer.is_some() {
            // curl's tool adds Bearer to the methods with a token.
            methods = Some(methods.unwrap_or(AuthMethods::NONE) | AuthMethods::BEARER);
        }
        let proxy_methods = if args.proxy_anyauth {
            Some(AuthMethods::ANY)
        } else if args.proxy_digest {
            Some(AuthMethods::DIGEST)
        } else if args.proxy_basic {
            Some(AuthMethods::BASIC)
        } else {
            None
        };
        Ok(Credentials {
            user: args.user.as_deref().map(|u| user_password("-u", u)).transpose()?,
            methods,
            bearer: args.oauth2_bearer.clone(),
            proxy_user: args
                .proxy_user
                .as_deref()
                .map(|u| user_password("-U", u))
                .transpose()?,
            proxy_methods,
            unrestricted: args.location_trusted,
            // As curl's tool: optional wins; a file alone is required.
            netrc: if args.netrc_optional {
                NetrcMode::Optional
            } else if args.netrc || args.netrc_file.is_some() {
                NetrcMode::Required
            } else {
                NetrcMode::Ignored
            },
            netrc_file: args.netrc_file.clone(),
        })
    }

    /// Sets them on `easy`.
    pub fn apply(&self, easy: &mut Easy) -> Result<(), starling::Error> {
        if let Some((user, password)) = &self.user {
            easy.username(Some(user.as_bytes()))
                .password(password.as_deref().map(str::as_bytes));
        }
        if let Some(methods) = self.methods {
            easy.http_auth(methods)?;
        }
        if let Some(token) = &self.bearer {
            easy.bearer_token(Some(token));
        }
        if let Some((user, password)) = &self.proxy_user {
            easy.proxy_username(Some(user.as_bytes()))
                .proxy_password(password.as_deref().map(str::as_bytes));
        }
        if let Some(methods) = self.proxy_methods {
            easy.proxy_auth(methods)?;
        }
        if self.unrestricted {
            easy.unrestricted_auth(true);
        }
        if self.netrc != NetrcMode::Ignored {
            easy.netrc(self.netrc).netrc_file(self.netrc_file.clone());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn read(flags: &[&str]) -> Result<Credentials, String> {
        let args = Args::try_parse_from([&["starling"], flags, &["http://h/"]].concat()).unwrap();
        Credentials::from_args(&args)
    }

    #[test]
    fn methods_as_curls_tool_sets_them() {
        assert_eq!(read(&[]).unwrap().methods, None);
        assert_eq!(read(&["--digest"]).unwrap().methods, Some(AuthMethods::DIGEST));
        assert_eq!(read(&["--anyauth"]).unwrap().methods, Some(AuthMethods::ANY));
        // The last of --basic, --digest, --anyauth wins, as in curl.
        assert_eq!(
            read(&["--digest", "--basic"]).unwrap().methods,
            Some(AuthMethods::BASIC)
        );
        assert_eq!(
            read(&["--oauth2-bearer", "t"]).unwrap().methods,
            Some(AuthMethods::BEARER)
        );
        assert_eq!(
            read(&["--proxy-digest"]).unwrap().proxy_methods,
            Some(AuthMethods::DIGEST)
        );
    }

    #[test]
    fn a_user_needs_a_password() {
        assert_eq!(
            read(&["-u", "a:b:c"]).unwrap().user,
            Some(("a".into(), Some("b:c".into())))
        );
        assert!(read(&["-u", "a"]).unwrap_err().contains("does not prompt"));
        assert!(read(&["-U", "a"]).unwrap_err().starts_with("-U a:"));
    }
}
