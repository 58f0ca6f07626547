//! What servers, proxies and files send about credentials and cookies,
//! fed to Starling's readers (`starling::fuzzing::credentials_input`):
//! Set-Cookie values into a jar, WWW-Authenticate challenges and Digest
//! answers, `.netrc` files, SOCKS replies. No panic, and what they make
//! stays within their limits.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    starling::fuzzing::credentials_input(data);
});
