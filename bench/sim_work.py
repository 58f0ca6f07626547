#!/usr/bin/env python3
"""Work per transfer of the engine alone on the simulated network, counted
rather than timed: instructions, and misses of a simulated 4 MiB data
cache (a cache that 1,000 open transfers fit in and 10,000 do not; this
machine has 2 MiB of L2 per core), per transfer, inside the engine's calls with the
simulated network's and the contract checker's share taken out.

    bench/sim_work.py [--transfers N] [OPEN ...]

Runs `starling-sim-scale N OPEN 1 fresh` (every transfer on a connection
of its own, so the same work whatever the number open) under
`valgrind --tool=callgrind --cache-sim=yes --D1=4194304,16,64` for each
OPEN (default 1000 and 100000) and prints, per OPEN, the inclusive cost
of `Multi::add` and `Multi::socket_action` less that of the simulator's
functions they call (`SimEnv`, `SimLookups`, the checker's callbacks).
Needs valgrind and a release build:
`cargo build --release -p starling-sim --bin starling-sim-scale`.
Each run takes a few minutes (callgrind is about 50 times slower).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCALE = os.path.join(ROOT, "target", "release", "starling-sim-scale")
ROW = re.compile(
    r"\s*([\d,]+) \([^)]*\)\s+([\d,]+|\.|0)\s*(?:\([^)]*\))?\s+([\d,]+|\.|0)\s*(?:\([^)]*\))?\s+(\S.*)$"
)
ENGINE = re.compile(r"src/multi/mod.rs:starling::multi::Multi::(socket_action|add)$")
SIMULATOR = re.compile(
    r"SimEnv as starling::env::Env>::|SimLookups as starling::env::Lookups>::"
    r"|run.rs:starling_sim::run::Sim::new::\{\{closure\}\}$"
)


def inclusive(out_file):
    """Inclusive Ir, D1mr, D1mw per function, as callgrind_annotate gives them."""
    text = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--show=Ir,D1mr,D1mw", "--threshold=100", out_file],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {}
    for line in text.splitlines():
        # Caller/callee lines and the second spelling of a file are skipped.
        if "=>" in line or "[/" in line:
            continue
        m = ROW.match(line)
        if m:
            values = [0 if x in (".", "0") else int(x.replace(",", "")) for x in m.groups()[:3]]
            rows.setdefault(m.group(4), values)
    return rows


def total(rows, pattern):
    sums = [0, 0, 0]
    for name, values in rows.items():
        if pattern.search(name):
            sums = [a + b for a, b in zip(sums, values)]
    return sums


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--transfers", type=int, default=200_000)
    p.add_argument("open", nargs="*", type=int, default=[1000, 100_000])
    args = p.parse_args()
    if not os.path.exists(SCALE):
        sys.exit(f"{SCALE} is missing: cargo build --release -p starling-sim --bin starling-sim-scale")
    print("| open at once | instructions per transfer | 4 MiB-cache misses per transfer (read + write) |")
    print("|---:|---:|---:|")
    for n_open in args.open:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "callgrind.out")
            subprocess.run(
                ["valgrind", "--tool=callgrind", "--cache-sim=yes", "--D1=4194304,16,64",
                 f"--callgrind-out-file={out}", SCALE, str(args.transfers), str(n_open), "1", "fresh"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            rows = inclusive(out)
        engine = total(rows, ENGINE)
        simulator = total(rows, SIMULATOR)
        ir, mr, mw = (max(0, a - b) / args.transfers for a, b in zip(engine, simulator))
        print(f"| {n_open:,} | {ir:,.0f} | {mr + mw:.1f} ({mr:.1f} + {mw:.1f}) |", flush=True)


if __name__ == "__main__":
    main()
