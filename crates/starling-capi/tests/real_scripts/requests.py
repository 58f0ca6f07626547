"""pycurl against the test server (tests/real_scripts/pycurl.rs): each
request's result on a line or a few, the same on Starling's swap library as
on Debian's libcurl. Usage: python requests.py BASE-URL FILE"""
import io
import select
import sys
import time

import pycurl

base, path = sys.argv[1], sys.argv[2]


def show(label, value):
    print(f"{label}: {value}")


def infos(c):
    for name in ("RESPONSE_CODE", "SIZE_DOWNLOAD_T", "CONTENT_TYPE", "EFFECTIVE_URL",
                 "REDIRECT_COUNT", "REDIRECT_URL", "HEADER_SIZE", "REQUEST_SIZE",
                 "SIZE_UPLOAD_T", "CONTENT_LENGTH_DOWNLOAD_T", "CONTENT_LENGTH_UPLOAD_T",
                 "PRIMARY_IP", "PRIMARY_PORT", "NUM_CONNECTS", "EFFECTIVE_METHOD"):
        show(f"  {name}", c.getinfo(getattr(pycurl, name)))


def easy(url, **options):
    """A handle for url with the options given by name, writing to a buffer."""
    c = pycurl.Curl()
    body = io.BytesIO()
    c.setopt(pycurl.URL, url)
    c.setopt(pycurl.WRITEDATA, body)
    c.setopt(pycurl.TIMEOUT, 30)
    # pycurl's default User-Agent carries the library's version string,
    # which names each library's TLS backend and differs by design.
    c.setopt(pycurl.USERAGENT, "pycurl-test")
    for name, value in options.items():
        c.setopt(getattr(pycurl, name), value)
    return c, body


c, body = easy(f"{base}/bytes/100000?seed=7")
c.perform()
show("GET", (len(body.getvalue()), body.getvalue()[:8].hex()))
infos(c)
c.close()

c, body = easy(f"{base}/inspect", POSTFIELDS="a=1&b=2")
c.perform()
show("POST", body.getvalue().decode())
infos(c)
c.close()

# A form through curl_formadd (HTTPPOST), echoed back whole: its random
# boundary is the only part the test takes out.
c, body = easy(f"{base}/echo", HTTPPOST=[("name", "value"),
                                          ("file", (pycurl.FORM_FILE, path))])
c.perform()
show("HTTPPOST", body.getvalue().decode())
infos(c)
c.close()

heads = []


def header(line):
    text = line.decode().rstrip()
    # The server's date changes between the runs.
    heads.append("date: <now>" if text.lower().startswith("date:") else text)


to = "%2Fredirect%2F301%3Fto%3D%252Fbytes%252F10"
c, body = easy(f"{base}/redirect/302?to={to}", FOLLOWLOCATION=1, HEADERFUNCTION=header)
c.perform()
show("redirects followed", body.getvalue().hex())
show("  heads", heads)
infos(c)
c.close()

c, body = easy(f"{base}/status/404", FAILONERROR=1)
try:
    c.perform()
    show("404 with FAILONERROR", "no error")
except pycurl.error as e:
    show("404 with FAILONERROR", e.args)
c.close()

# A multi handle driven by its socket and timer callbacks, as event loops
# drive it: select() on the sockets libcurl asks for, socket_action on what
# is ready, a timeout when the timer runs out. At most 30 seconds.
sockets = {}
timer = [None]


def on_socket(what, sock, multi, data):
    if what == pycurl.POLL_REMOVE:
        sockets.pop(sock, None)
    else:
        sockets[sock] = what


def on_timer(ms):
    timer[0] = None if ms < 0 else time.monotonic() + ms / 1000


m = pycurl.CurlMulti()
m.setopt(pycurl.M_SOCKETFUNCTION, on_socket)
m.setopt(pycurl.M_TIMERFUNCTION, on_timer)
handles = []
for i in range(6):
    c, body = easy(f"{base}/bytes/{30000 * i + 5}?seed={i}")
    c.index = i
    handles.append((c, body))
    m.add_handle(c)
running = len(handles)
done = {}
deadline = time.monotonic() + 30
m.socket_action(pycurl.SOCKET_TIMEOUT, 0)
while running and time.monotonic() < deadline:
    readers = [s for s, w in sockets.items() if w & pycurl.POLL_IN]
    writers = [s for s, w in sockets.items() if w & pycurl.POLL_OUT]
    wait = 1.0 if timer[0] is None else max(0.0, min(1.0, timer[0] - time.monotonic()))
    r, w, _ = select.select(readers, writers, [], wait)
    if not r and not w:
        timer[0] = None
        _, running = m.socket_action(pycurl.SOCKET_TIMEOUT, 0)
    for s in set(r) | set(w):
        mask = (pycurl.CSELECT_IN if s in r else 0) | (pycurl.CSELECT_OUT if s in w else 0)
        _, running = m.socket_action(s, mask)
    while True:
        queued, ok, failed = m.info_read()
        for c in ok:
            done[c.index] = "ok"
        for c, code, message in failed:
            done[c.index] = (code, message)
        if not queued:
            break
show("multi", (running, sorted(done.items()), "sockets left", len(sockets)))
for c, body in handles:
    data = body.getvalue()
    show(f"  handle {c.index}", (len(data), data[:8].hex(), c.getinfo(pycurl.RESPONSE_CODE)))
    m.remove_handle(c)
    c.close()
m.close()
