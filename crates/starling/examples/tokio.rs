//! The engine on tokio: the same job as `examples/epoll.rs` and
//! `examples/mio.rs`, with [`starling::drive::tokio::Driver`] as the loop
//! (build with `--features tokio`).
//!
//! * the driver registers each socket the engine announces with tokio's
//!   reactor and keeps the engine's one timer as a tokio `Sleep`;
//! * `driver.step().await` waits for a ready socket or the timer and tells
//!   the engine; the driver lives in one task (the multi handle is not
//!   `Send`), here the runtime's `block_on`;
//! * finished transfers → `info_read` and `remove`, between steps.
//!
//! Prints one line per finished transfer: URL, result, status, body bytes.
//!
//! ```text
//! cargo run --release --features tokio --example tokio -- http://127.0.0.1:8080/a
//! cargo run --release --features tokio --example tokio -- --demo 10000 --parallel 100 --quiet
//! ```

mod demo;

use starling::drive::tokio::Driver;
use starling::Limits;

fn main() -> std::io::Result<()> {
    let mut run = demo::Run::from_args("tokio");

    let mut driver = Driver::with_new_multi();
    driver.multi().set_limits(Limits {
        max_host_connections: Some(run.parallel),
        ..Limits::default()
    });
    for easy in run.easies.drain(..) {
        driver.add(easy);
    }

    // A current-thread runtime: the driver's task is the only one.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(driver.perform_with(|multi, msg| {
        let easy = multi
            .remove(msg.id)
            .expect("finished transfers stay until removed");
        run.finished(&easy, &msg.result);
    }))?;
    drop(driver);
    run.summary();
    Ok(())
}
