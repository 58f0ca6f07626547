//! The simulated scale benchmark: one engine runs many transfers (by
//! default 1,000,000, 100,000 at once) over the simulated network, every
//! callback checked, and prints the figures docs/benchmarks.md records:
//! wall time, engine time per transfer, engine memory per open transfer,
//! callbacks per transfer.
//!
//! `cargo run --release -p starling-sim --bin starling-sim-scale -- [TRANSFERS] [OPEN] [SEED] [fresh] [h2]`
//!
//! With `fresh`, every transfer opens its own connection and closes it
//! (the same work per transfer whatever the number open); without, a
//! finished transfer's connection is reused when the next transfer goes to
//! its host. With `h2`, the servers speak HTTP/2 (prior knowledge, 100
//! streams per connection) and the transfers are streams that wait for a
//! connection to multiplex on (`pipewait`): OPEN/100 connections carry
//! them, and the memory figure is per open stream.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use starling::{Easy, HttpVersion};
use starling_sim::{Expect, HostEntry, Listener, NetConfig, ServerConfig, Sim};

/// Live bytes allocated by the engine (and the application around it) and
/// by the simulator, told apart by a tag in front of every block.
struct Tagged;

static ENGINE: AtomicI64 = AtomicI64::new(0);
static SIMULATOR: AtomicI64 = AtomicI64::new(0);
const HEADER: usize = 16;

fn counter(simulator: bool) -> &'static AtomicI64 {
    if simulator {
        &SIMULATOR
    } else {
        &ENGINE
    }
}

// SAFETY: every block is the system allocator's, HEADER bytes larger and
// at least 16-aligned (blocks with larger alignment are passed through
// untagged, which none of this program's types need); the tag is written
// before the pointer is handed out and read back at free.
unsafe impl GlobalAlloc for Tagged {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > HEADER {
            // SAFETY: forwarded unchanged.
            return unsafe { System.alloc(layout) };
        }
        let simulator = starling_sim::tag::in_simulator();
        let Ok(outer) = Layout::from_size_align(layout.size() + HEADER, HEADER) else {
            return std::ptr::null_mut();
        };
        // SAFETY: a valid, non-zero layout.
        let base = unsafe { System.alloc(outer) };
        if base.is_null() {
            return base;
        }
        // SAFETY: the block has HEADER bytes in front of what is handed out.
        unsafe { base.write(simulator as u8) };
        counter(simulator).fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: within the block.
        unsafe { base.add(HEADER) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() > HEADER {
            // SAFETY: allocated untagged above.
            return unsafe { System.dealloc(ptr, layout) };
        }
        // SAFETY: `ptr` came from `alloc`, HEADER bytes into its block.
        let base = unsafe { ptr.sub(HEADER) };
        // SAFETY: the tag byte written by `alloc`.
        let simulator = unsafe { base.read() } != 0;
        counter(simulator).fetch_sub(layout.size() as i64, Ordering::Relaxed);
        let outer = Layout::from_size_align(layout.size() + HEADER, HEADER).expect("as allocated");
        // SAFETY: the block and layout `alloc` used.
        unsafe { System.dealloc(base, outer) }
    }
}

#[global_allocator]
static ALLOC: Tagged = Tagged;

fn main() {
    let fresh = std::env::args().any(|a| a == "fresh");
    let h2 = std::env::args().any(|a| a == "h2");
    let mut args = std::env::args()
        .skip(1)
        .filter(|a| a != "fresh" && a != "h2")
        .map(|a| a.parse::<u64>().expect("numbers: TRANSFERS OPEN SEED"));
    let total = args.next().unwrap_or(1_000_000);
    let open = args.next().unwrap_or(100_000) as usize;
    let seed = args.next().unwrap_or(1);
    let mut sim = Sim::new(seed, NetConfig::default());
    let hosts = 50;
    for h in 0..hosts {
        let addr = format!("10.0.{}.{}", h / 250, h % 250 + 1);
        sim.world().host(
            &format!("h{h}.sim"),
            HostEntry {
                addrs: vec![addr.parse().expect("address")],
                latency: Duration::from_millis(2),
                failure: None,
            },
        );
        let server = ServerConfig {
            think: Duration::from_millis(20),
            max_streams: Some(100),
            ..ServerConfig::default()
        };
        let listener = match h2 {
            true => Listener::Http2(server),
            false => Listener::Http(server),
        };
        sim.world()
            .listen(format!("{addr}:80").parse().expect("address"), listener);
    }
    let before = ENGINE.load(Ordering::Relaxed);
    let at_peak = Rc::new(Cell::new(0i64));
    let sample = at_peak.clone();
    sim.set_probe(move |running| {
        if running == open {
            let engine = ENGINE.load(Ordering::Relaxed) - before;
            sample.set(sample.get().max(engine));
        }
    });
    let report = sim.run(total, open, |i, _| {
        let mut easy = Easy::new(format!("http://h{}.sim/size/100", i % hosts));
        if fresh {
            easy.fresh_connect(true).forbid_reuse(true);
        }
        if h2 {
            easy.http_version(HttpVersion::Http2PriorKnowledge).pipewait(true);
        }
        (
            easy,
            Expect::Ok {
                status: 200,
                body: 100,
            },
        )
    });
    println!("{report}");
    println!(
        "  connections opened per transfer: {:.3}",
        report.net.connects as f64 / report.transfers.max(1) as f64
    );
    println!(
        "  engine memory with {open} open: {:.1} MB, {} bytes per open transfer (simulator now {:.1} MB)",
        at_peak.get() as f64 / 1e6,
        at_peak.get() / open.max(1) as i64,
        SIMULATOR.load(Ordering::Relaxed) as f64 / 1e6
    );
    if !report.violations.is_empty() {
        std::process::exit(1);
    }
}
