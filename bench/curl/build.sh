#!/usr/bin/env bash
# Builds the libcurl benchmark client (bench/curl/curl_multi.c) three times:
#   curl-debian    against the system's libcurl (Debian's libcurl4-openssl-dev)
#   curl-newest    statically against the libcurl bundled in the Rust crate
#                  curl-sys 0.4.91 (libcurl 8.22.0-DEV), fetched and built by
#                  cargo from bench/curl/newest/ (HTTP/1.1, and HTTP/2 with
#                  the nghttp2 that libnghttp2-sys bundles; no TLS)
#   curl-starling  the same source, unchanged, against Starling's
#                  libcurl-compatible C interface (crates/starling-capi: its
#                  headers and its release static library); left out, with
#                  the compiler's reason, when it does not build
# Usage: bench/curl/build.sh [OUTDIR]     (default bench/curl/out)
# Jobs for the cargo build: CARGO_BUILD_JOBS (default 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
CC=${CC:-cc}
CFLAGS_CLIENT=(-std=c11 -O2 -Wall -Wextra -Werror)

if ! command -v curl-config >/dev/null 2>&1; then
  echo "curl-config missing: installing libcurl4-openssl-dev" >&2
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q libcurl4-openssl-dev >/dev/null
fi

# 1. Debian's libcurl.
# shellcheck disable=SC2046
"$CC" "${CFLAGS_CLIENT[@]}" $(curl-config --cflags) -o "$out/curl-debian" "$here/curl_multi.c" $(curl-config --libs)

# 2. The newest libcurl, from curl-sys's bundled source.
# curl-sys's build script still defines HAVE_POLL_FINE, which libcurl no
# longer reads; without HAVE_POLL libcurl waits with select() and cannot
# use a socket numbered 1024 or higher. CFLAGS reach the cc crate (and a
# change of them makes cargo rebuild libcurl).
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
messages=$(cd "$here/newest" && CFLAGS="${CFLAGS:+$CFLAGS }-DHAVE_POLL" \
  cargo build --release --locked --message-format=json 2>/dev/null || true)
# The OUT_DIR of package $1's build script, from cargo's messages.
out_dir_of() {
  printf '%s\n' "$messages" | python3 -c '
import json, re, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "build-script-executed" and re.search(r"(^|#)" + re.escape(sys.argv[1]) + r"[@ ]", m["package_id"]):
        print(m["out_dir"])
' "$1"
}
curl_out=$(out_dir_of curl-sys)
nghttp2_out=$(out_dir_of libnghttp2-sys)
if [ -z "$curl_out" ] || [ ! -f "$curl_out/build/libcurl.a" ] || [ ! -f "$nghttp2_out/i/lib/libnghttp2.a" ]; then
  echo "build.sh: the curl-sys build failed; its output:" >&2
  (cd "$here/newest" && CFLAGS="${CFLAGS:+$CFLAGS }-DHAVE_POLL" cargo build --release --locked) >&2 || true
  exit 1
fi
lib="$curl_out/build/libcurl.a"
if ! nm "$lib" 2>/dev/null | grep ' U poll$' >/dev/null; then
  echo "build.sh: $lib was built without poll() (HAVE_POLL); it would fail on sockets >= 1024" >&2
  exit 1
fi
# The link needs what curl-sys tells cargo: nghttp2 (libnghttp2-sys's
# static build), zlib (libz-sys, the system's) and the threads of
# libcurl's threaded resolver.
"$CC" "${CFLAGS_CLIENT[@]}" -DCURL_STATICLIB -I"$curl_out/include" -o "$out/curl-newest" \
  "$here/curl_multi.c" "$lib" "$nghttp2_out/i/lib/libnghttp2.a" -lz -lpthread

deb_version=$("$out/curl-debian" --version)
new_version=$("$out/curl-newest" --version)
echo "built $out/curl-debian ($deb_version) and $out/curl-newest ($new_version)" >&2
if [ "$deb_version" != "libcurl-$(curl-config --version | awk '{print $2}')" ]; then
  echo "build.sh: curl-debian reports $deb_version, curl-config says $(curl-config --version)" >&2
  exit 1
fi
if [ "$new_version" = "$deb_version" ]; then
  echo "build.sh: curl-newest is not linked against the bundled libcurl" >&2
  exit 1
fi

# 3. Starling's C interface. Not fatal: the harness runs curl-starling only
# if it exists, so a stale one is removed first.
root=$(cd "$here/../.." && pwd)
rm -f "$out/curl-starling"
log="$out/curl-starling.log"
if ! (cd "$root" && cargo build --release -q -p starling-capi) >"$log" 2>&1; then
  echo "build.sh: cargo build --release -p starling-capi failed; curl-starling left out:" >&2
  tail -n 20 "$log" >&2
elif ! "$CC" "${CFLAGS_CLIENT[@]}" -I"$root/crates/starling-capi/include" -o "$out/curl-starling" \
  "$here/curl_multi.c" "$root/target/release/libstarling_curl.a" -lpthread -ldl -lm >"$log" 2>&1; then
  rm -f "$out/curl-starling"
  echo "build.sh: curl_multi.c does not build against Starling's C interface; curl-starling left out:" >&2
  sed -n '1,30p' "$log" >&2
else
  echo "built $out/curl-starling ($("$out/curl-starling" --version))" >&2
fi
