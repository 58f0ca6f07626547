//! The async client: the same job as the loop examples, written as
//! futures (build with `--features tokio`).
//!
//! * `Client` runs the engine on a thread of its own; every request's
//!   future, on any runtime, shares it (one connection pool, one loop);
//! * `client.get(url).send().await` resolves at the response's head, as an
//!   `http::Response` whose body streams in with `chunk().await`;
//! * here each request is a task of a current-thread tokio runtime.
//!
//! Prints one line per finished transfer: URL, result, status, body bytes.
//!
//! ```text
//! cargo run --release --features tokio --example client -- http://127.0.0.1:8080/a
//! cargo run --release --features tokio --example client -- --demo 10000 --parallel 100 --quiet
//! ```

mod demo;

use starling::{Client, Error, Limits};
use starling_testserver::PatternChecker;

/// What one request gave: its status, its body bytes, whether the body
/// matched the demo's pattern.
struct Fetched {
    status: u16,
    bytes: u64,
    verified: bool,
}

/// One request, its body read as it arrives (and checked, in the demo).
async fn fetch(client: Client, url: String, check: Option<u64>) -> Result<Fetched, Error> {
    let response = client.get(url).send().await?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut checker = check.map(PatternChecker::new);
    let mut bytes = 0;
    while let Some(piece) = body.chunk().await? {
        bytes += piece.len() as u64;
        if let Some(checker) = &mut checker {
            checker.update(&piece);
        }
    }
    let verified = checker.is_none_or(|c| c.first_mismatch().is_none());
    Ok(Fetched {
        status,
        bytes,
        verified,
    })
}

fn main() -> std::io::Result<()> {
    let mut run = demo::Run::from_args("client");
    let parallel = run.parallel;
    let client = Client::builder()
        .multi(move |multi| {
            multi.set_limits(Limits {
                max_host_connections: Some(parallel),
                ..Limits::default()
            })
        })
        .build()?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, url) in run.urls.iter().enumerate() {
            let check = run.checked.then_some(i as u64);
            let (client, url) = (client.clone(), url.clone());
            tasks.spawn(async move { (fetch(client, url.clone(), check).await, url) });
        }
        while let Some(joined) = tasks.join_next().await {
            let (fetched, url) = joined.expect("a request's task does not panic");
            match fetched {
                Ok(f) => run.count(&url, &Ok(()), f.verified, f.status, f.bytes),
                Err(e) => run.count(&url, &Err(e), true, 0, 0),
            }
        }
    });
    run.summary();
    Ok(())
}
