# cmake's file(DOWNLOAD) and file(UPLOAD) against the test server
# (tests/real_scripts/cmake.rs): each result (and two of the logs, with
# libcurl's verbose trace) on a line or a few, the same on
# Starling's swap library as on Debian's libcurl. Usage:
#   cmake -DBASE=BASE-URL -DDIR=DIR -P transfers.cmake
# DIR holds up.bin (uploaded) and receives the downloads.

function(show label value)
  message("${label}: ${value}")
endfunction()

# A download, its status and the file's hash (or "none" when no file).
function(download label url file)
  file(REMOVE "${DIR}/${file}")
  file(DOWNLOAD "${url}" "${DIR}/${file}" STATUS status LOG log ${ARGN})
  if(EXISTS "${DIR}/${file}")
    file(SHA256 "${DIR}/${file}" hash)
    file(SIZE "${DIR}/${file}" size)
  else()
    set(hash none)
    set(size none)
  endif()
  show("${label}" "status ${status} size ${size} sha256 ${hash}")
  set(last_hash "${hash}" PARENT_SCOPE)
  set(last_log "${log}" PARENT_SCOPE)
endfunction()

download("GET" "${BASE}/bytes/100000?seed=9" get.bin)
set(good "${last_hash}")
download("GET with the expected hash" "${BASE}/bytes/100000?seed=9" hashed.bin
  EXPECTED_HASH SHA256=${good})
download("chunked GET" "${BASE}/chunked/70000?seed=2" chunked.bin)
download("redirects" "${BASE}/redirect/302?to=%2Fredirect%2F307%3Fto%3D%252Fbytes%252F300" redirected.bin)
# libcurl's trace, as cmake keeps it (the server's dates change between runs).
string(REGEX REPLACE "date: [^\n]*\n" "" log "${last_log}")
show("redirects' log" "${log}")
download("404" "${BASE}/status/404" missing.bin)
download("gzip, not decoded" "${BASE}/encoded/gzip/5000" gzip.bin)
download("a timeout" "${BASE}/delay/3000/10" late.bin TIMEOUT 1)
download("a range of bytes" "${BASE}/bytes/100000?seed=9" range.bin RANGE_START 1000 RANGE_END 1999)
download("with headers" "${BASE}/headers" headers.txt HTTPHEADER "X-One: 1" HTTPHEADER "X-Two: 2" USERPWD "user:pw")
file(READ "${DIR}/headers.txt" text)
show("headers sent" "${text}")

file(UPLOAD "${DIR}/up.bin" "${BASE}/inspect" STATUS status LOG log)
# The log holds the server's answer, then libcurl's trace.
string(REGEX REPLACE "date: [^\n]*\n" "" log "${log}")
show("UPLOAD" "status ${status}")
show("UPLOAD log" "${log}")
file(UPLOAD "${DIR}/up.bin" "${BASE}/status/500" STATUS status)
show("UPLOAD to a 500" "status ${status}")

# Last: a hash that does not match stops the script with an error.
download("GET with another hash" "${BASE}/bytes/100000?seed=10" wrong.bin
  EXPECTED_HASH SHA256=${good})
