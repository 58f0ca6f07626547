#!/usr/bin/env python3
"""Before and after in one run: client binaries alternated against the
harness's nginx on the keep-alive load, then each under `strace -c -f`.

    bench/ab.py [--runs N] [--requests N] [--parallel C] NAME=COMMAND ...

COMMAND is a client that follows bench/CLIENTS.md (loadgen, curl_multi.c
builds), with its own flags if any: `new-remove='WORK/loadgen --remove-idle'`.
Needs what `bench/run` makes (nginx installed, its work directory with the
certificates: run `bench/run --quick --only keepalive-100 --no-write` once).
Prints, per client, the median and the range over the runs of requests per
second and client CPU seconds per 100,000 requests, then system calls per
request (20,000 requests at the same parallelism) and the five most made.
"""

import argparse
import shlex
import statistics
import sys

import harness


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=4)
    p.add_argument("--requests", type=int, default=300_000)
    p.add_argument("--parallel", type=int, default=100)
    p.add_argument("--work", default="/tmp/starling-bench")
    p.add_argument("clients", nargs="+", metavar="NAME=COMMAND")
    opts = p.parse_args()
    clients = []
    for spec in opts.clients:
        name, _, cmd = spec.partition("=")
        if not cmd:
            sys.exit(f"not NAME=COMMAND: {spec}")
        clients.append({"name": name, "cmd": shlex.split(cmd)})
    url = f"http://127.0.0.1:{harness.PORT}/100b"
    args = ["--url", url, "--mode", "keepalive", "--requests", str(opts.requests),
            "--parallel", str(opts.parallel)]
    nginx = harness.Nginx(opts.work, 4)
    nginx.start()
    figures = {c["name"]: [] for c in clients}
    syscalls = {}
    try:
        for run in range(opts.runs):
            for c in clients:
                r, why = harness.run_client(c, args, nginx, 300, opts.work)
                if r is None:
                    print(f"run {run + 1} {c['name']}: {why['error']}", flush=True)
                    continue
                rate = r["ok"] / r["seconds"]
                cpu = harness.per_100k(r)
                figures[c["name"]].append((rate, cpu))
                print(f"run {run + 1} {c['name']}: {rate:,.0f}/s, {cpu:.3f} CPU s/100k, "
                      f"nginx {100 * (r['nginx_cpu_share'] or 0):.0f}%", flush=True)
        for c in clients:
            syscalls[c["name"]] = harness.syscalls_per_request(c, nginx, opts.work)
    finally:
        nginx.stop()
    print(f"\nkeep-alive, {opts.parallel} in flight, {opts.requests:,} requests, {opts.runs} runs "
          "alternated: median (min–max)")
    print("| client | requests/s | CPU s per 100k requests | system calls per request | most made |")
    print("|---|---:|---:|---:|---|")
    for c in clients:
        f = figures[c["name"]]
        if not f:
            print(f"| {c['name']} | – | – | – | |")
            continue
        rates, cpus = [x[0] for x in f], [x[1] for x in f]
        s = syscalls.get(c["name"])
        calls = f"{s['per_request']:.2f}" if s else "–"
        top = ", ".join(f"{n} {v}" for n, v in s["top"]) if s else ""
        print(f"| {c['name']} | {statistics.median(rates):,.0f} ({min(rates):,.0f}–{max(rates):,.0f}) | "
              f"{statistics.median(cpus):.3f} ({min(cpus):.3f}–{max(cpus):.3f}) | {calls} | {top} |")


if __name__ == "__main__":
    main()
