//! Where a redirect leads: a `Location` value resolved against the URL of
//! the request it answered, and what of the handle's first target (its
//! credentials) may follow it. The engine's redirects and the fuzz target
//! for them use these same two steps.

use crate::error::{Error, ErrorKind};
use crate::target::Target;

/// The URL a `Location` value leads to from the request at `base`
/// (relative references resolved against it); `None` for an empty value,
/// which leads nowhere.
pub(crate) fn resolve_location(base: &Target, location: &[u8]) -> Result<Option<url::Url>, Error> {
    if location.trim_ascii().is_empty() {
        return Ok(None);
    }
    let location = String::from_utf8_lossy(location);
    let url = base.url().join(location.trim()).map_err(|e| {
        Error::new(
            ErrorKind::UrlMalformed,
            format!("redirect to an invalid URL '{location}': {e}"),
        )
    })?;
    Ok(Some(url))
}

/// A redirect's target as the handle's first target sees it: whether it is
/// the same origin, and then with the first target's credentials (they
/// never go to another origin).
pub(crate) fn follow(first: &Target, mut target: Target) -> (Target, bool) {
    let same_origin = target.same_origin(first);
    if same_origin {
        target.inherit_auth(first);
    }
    (target, same_origin)
}
