/*
 * curl_multi: the libcurl client of Starling's benchmark harness.
 *
 * It drives libcurl through the multi_socket interface the way an
 * event-driven application does: one epoll instance, one timerfd for
 * libcurl's timeout, CURLMOPT_SOCKETFUNCTION mapped onto epoll_ctl and
 * CURLMOPT_TIMERFUNCTION onto timerfd_settime, and every readiness event
 * handed to curl_multi_socket_action. Command line and output follow
 * bench/CLIENTS.md:
 *
 *   curl_multi --url URL --mode keepalive|newconn|download --requests N
 *              [--parallel C] [--background-url URL2 --background H]
 *              [--max-seconds S] [--cacert FILE] [--http2]
 *   curl_multi --url URL --mode hold --hold N [--max-seconds S] [--cacert FILE]
 *
 * The last line of standard output is one JSON object. --cacert sets
 * CURLOPT_CAINFO on every handle; TLS sessions are cached and resumed as
 * libcurl does by default.
 *
 *   curl_multi --version       prints libcurl-VERSION
 *   curl_multi --tls-backend   prints the TLS backend libcurl was built
 *                              with ("OpenSSL/3.0.x"), or "none"
 */
#define _GNU_SOURCE

#include <curl/curl.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 1024

/* What a transfer is for: the measured load, or held open (hold mode's
 * transfers and the background ones). */
enum kind { KIND_LOAD, KIND_HELD };

struct xfer {
    CURL *easy;
    enum kind kind;
    bool head; /* held transfers: the whole response head has arrived */
};

struct args {
    const char *url;
    const char *mode;
    long long requests;
    long parallel;
    long hold;
    const char *background_url;
    long background;
    double max_seconds;
    const char *cacert;
};

static struct {
    CURLM *multi;
    int epfd;
    int tfd;
    double deadline; /* monotonic seconds */

    /* measured load */
    long long requests;  /* N */
    long long started;   /* transfers handed to the multi handle */
    long long ok;
    long long failed;
    long long connections;
    unsigned long long body_bytes;
    unsigned long long socket_actions;

    /* held transfers */
    long heads;        /* held transfers that have their response head */
    long held_ended;   /* held transfers that finished or failed (early) */
    unsigned long long held_bytes;

    bool epoll_error_reported;
} g;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "curl_multi: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: curl_multi --url URL --mode keepalive|newconn|download --requests N [--parallel C]\n"
            "                  [--background-url URL2 --background H] [--max-seconds S] [--cacert FILE]\n"
            "       curl_multi --url URL --mode hold --hold N [--max-seconds S] [--cacert FILE]\n"
            "       curl_multi --version | --tls-backend\n");
    exit(2);
}

/* ---- libcurl callbacks ------------------------------------------------ */

/* Body bytes are counted and dropped; userdata points at the counter. */
static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
    (void)data;
    size_t n = size * nmemb;
    *(unsigned long long *)userdata += n;
    return n;
}

/* Held transfers: the blank line that ends a final (non-1xx) response head. */
static size_t header_cb(char *line, size_t size, size_t nitems, void *userdata)
{
    struct xfer *x = userdata;
    size_t n = size * nitems;
    if (!x->head && (n == 2 || n == 1) && (line[0] == '\r' || line[0] == '\n')) {
        long code = 0;
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200 || code == 0) {
            x->head = true;
            g.heads++;
        }
    }
    return n;
}

/* CURLMOPT_SOCKETFUNCTION: keep epoll's interest set in step with what
 * libcurl wants. Whether a socket is registered is remembered with
 * curl_multi_assign (non-NULL socketp = in the epoll set). */
static char registered_mark;

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    (void)userp;
    if (what == CURL_POLL_REMOVE) {
        /* The socket may already be closed (then epoll dropped it itself). */
        if (socketp && epoll_ctl(g.epfd, EPOLL_CTL_DEL, s, NULL) < 0 && errno != EBADF &&
            errno != ENOENT && !g.epoll_error_reported) {
            g.epoll_error_reported = true;
            fprintf(stderr, "curl_multi: epoll_ctl(DEL, %d): %s\n", (int)s, strerror(errno));
        }
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
    ev.data.fd = s;
    int op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int rc = epoll_ctl(g.epfd, op, s, &ev);
    if (rc < 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
        rc = epoll_ctl(g.epfd, EPOLL_CTL_MOD, s, &ev);
    else if (rc < 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
        rc = epoll_ctl(g.epfd, EPOLL_CTL_ADD, s, &ev);
    if (rc < 0) {
        if (!g.epoll_error_reported) {
            g.epoll_error_reported = true;
            fprintf(stderr, "curl_multi: epoll_ctl(%d): %s\n", (int)s, strerror(errno));
        }
        return -1; /* libcurl fails the transfers on this socket */
    }
    if (!socketp)
        curl_multi_assign(g.multi, s, &registered_mark);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timerfd carries libcurl's single timeout. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    (void)userp;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (timeout_ms == 0) {
        its.it_value.tv_nsec = 1; /* as soon as possible, from the loop */
    } else if (timeout_ms > 0) {
        its.it_value.tv_sec = timeout_ms / 1000;
        its.it_value.tv_nsec = (timeout_ms % 1000) * 1000000L;
    } /* -1: all zero disarms */
    if (timerfd_settime(g.tfd, 0, &its, NULL) < 0)
        die("timerfd_settime");
    return 0;
}

/* ---- the event loop --------------------------------------------------- */

static void socket_action(curl_socket_t s, int bits)
{
    int running;
    g.socket_actions++;
    CURLMcode rc = curl_multi_socket_action(g.multi, s, bits, &running);
    if (rc != CURLM_OK && rc != CURLM_BAD_SOCKET) {
        fprintf(stderr, "curl_multi: curl_multi_socket_action: %s\n", curl_multi_strerror(rc));
        exit(2);
    }
}

static void add_handle(CURL *easy)
{
    CURLMcode rc = curl_multi_add_handle(g.multi, easy);
    if (rc != CURLM_OK) {
        fprintf(stderr, "curl_multi: curl_multi_add_handle: %s\n", curl_multi_strerror(rc));
        exit(2);
    }
}

/* A finished transfer: count it, and for the load start the next request
 * on the same easy handle while fewer than N have been started. */
static void finished(CURL *easy, CURLcode result)
{
    char *priv = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    struct xfer *x = (struct xfer *)priv;
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);

    if (x->kind == KIND_HELD) {
        if (g.held_ended == 0)
            fprintf(stderr, "curl_multi: a held transfer ended: status %ld, %s\n", code,
                    curl_easy_strerror(result));
        g.held_ended++;
        curl_multi_remove_handle(g.multi, easy);
        return;
    }

    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    g.connections += connects;
    if (result == CURLE_OK && code >= 200 && code < 300) {
        g.ok++;
    } else {
        if (g.failed == 0)
            fprintf(stderr, "curl_multi: first failure: status %ld, %s\n", code, curl_easy_strerror(result));
        g.failed++;
    }
    curl_multi_remove_handle(g.multi, easy);
    if (g.started < g.requests) {
        add_handle(easy); /* the same handle, options unchanged */
        g.started++;
    }
}

static void drain_info(void)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(g.multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        finished(easy, result); /* msg is invalid after the removal */
    }
}

/* One round: wait for readiness (at most up to the deadline, and at most
 * 100 ms so the caller's condition and the deadline are rechecked), then
 * hand every ready descriptor to libcurl. */
static void step(void)
{
    static struct epoll_event events[MAX_EVENTS];
    double left = g.deadline - now();
    int timeout = left <= 0 ? 0 : left < 0.1 ? (int)(left * 1000) + 1 : 100;
    int n = epoll_wait(g.epfd, events, MAX_EVENTS, timeout);
    if (n < 0) {
        if (errno == EINTR)
            return;
        die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
        int fd = events[i].data.fd;
        uint32_t ev = events[i].events;
        if (fd == g.tfd) {
            uint64_t expirations;
            if (read(g.tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                die("read(timerfd)");
            socket_action(CURL_SOCKET_TIMEOUT, 0);
        } else {
            int bits = (ev & EPOLLIN ? CURL_CSELECT_IN : 0) | (ev & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                       (ev & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
            socket_action(fd, bits);
        }
        drain_info();
    }
}

/* ---- measuring -------------------------------------------------------- */

struct window {
    double wall;
    double user;
    double sys;
    unsigned long long socket_actions;
};

static double tv_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static struct window window_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    struct window w = {now(), tv_seconds(ru.ru_utime), tv_seconds(ru.ru_stime), g.socket_actions};
    return w;
}

/* Peak resident memory of this program in KiB: VmHWM, not ru_maxrss, which
 * Linux carries over exec from the process that started us (the harness). */
static long max_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* Resident bytes, from /proc/self/statm. */
static long long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size = 0, resident = 0;
    if (!f)
        die("/proc/self/statm");
    if (fscanf(f, "%lld %lld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* ---- set-up ----------------------------------------------------------- */

static long raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        die("getrlimit");
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            die("setrlimit");
    }
    return rl.rlim_cur == RLIM_INFINITY ? 1L << 30 : (long)rl.rlim_cur;
}

/* --cacert: the PEM file of CA certificates every handle trusts, or NULL. */
static const char *cainfo;
/* --http2: HTTP/2 with prior knowledge, every transfer waiting for the
 * first connection and sharing it (PIPEWAIT), as loadgen --http2. */
static bool http2;

static CURL *new_easy(const char *url, struct xfer *x, enum kind kind, bool forbid_reuse)
{
    CURL *easy = curl_easy_init();
    if (!easy) {
        fprintf(stderr, "curl_multi: curl_easy_init failed\n");
        exit(2);
    }
    x->easy = easy;
    x->kind = kind;
    x->head = false;
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (http2) {
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)x);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, kind == KIND_LOAD ? (void *)&g.body_bytes : (void *)&g.held_bytes);
    if (cainfo)
        curl_easy_setopt(easy, CURLOPT_CAINFO, cainfo);
    if (kind == KIND_HELD) {
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, (void *)x);
    }
    if (forbid_reuse) {
        /* As every client's newconn mode (bench/CLIENTS.md): the server
         * closes first and keeps the TIME_WAITs. One list for all handles. */
        static struct curl_slist *close_header;
        if (!close_header)
            close_header = curl_slist_append(NULL, "Connection: close");
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, close_header);
        curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    }
    return easy;
}

/* Opens n held transfers to url and runs the loop until each has its
 * response head, or one ended, or the deadline passed. */
static struct xfer *open_held(const char *url, long n)
{
    struct xfer *xs = calloc((size_t)n, sizeof *xs);
    if (!xs)
        die("calloc");
    double t0 = now();
    for (long i = 0; i < n; i++)
        add_handle(new_easy(url, &xs[i], KIND_HELD, false));
    socket_action(CURL_SOCKET_TIMEOUT, 0);
    drain_info();
    while (g.heads + g.held_ended < n && now() < g.deadline)
        step();
    fprintf(stderr, "curl_multi: %ld of %ld held transfers have their head after %.1f s\n", g.heads, n,
            now() - t0);
    return xs;
}

/* Same scheme://host:port? (Then the held transfers count against the
 * per-host connection limit too.) */
static size_t origin_length(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return 0;
    const char *slash = strchr(p + 3, '/');
    return slash ? (size_t)(slash - url) : strlen(url);
}

static bool same_origin(const char *a, const char *b)
{
    size_t la = origin_length(a), lb = origin_length(b);
    return la && la == lb && strncmp(a, b, la) == 0;
}

static long long number(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0)
        usage();
    return v;
}

static struct args parse_args(int argc, char **argv)
{
    struct args a = {NULL, NULL, 0, 1, 0, NULL, 0, 600.0, NULL};
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        printf("libcurl-%s\n", curl_version_info(CURLVERSION_NOW)->version);
        exit(0);
    }
    if (argc == 2 && !strcmp(argv[1], "--tls-backend")) {
        const char *ssl = curl_version_info(CURLVERSION_NOW)->ssl_version;
        printf("%s\n", ssl && *ssl ? ssl : "none");
        exit(0);
    }
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (!strcmp(k, "--http2")) {
            http2 = true;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(k, "--url"))
            a.url = v;
        else if (!strcmp(k, "--mode"))
            a.mode = v;
        else if (!strcmp(k, "--requests"))
            a.requests = number(v);
        else if (!strcmp(k, "--parallel"))
            a.parallel = (long)number(v);
        else if (!strcmp(k, "--hold"))
            a.hold = (long)number(v);
        else if (!strcmp(k, "--background-url"))
            a.background_url = v;
        else if (!strcmp(k, "--background"))
            a.background = (long)number(v);
        else if (!strcmp(k, "--cacert"))
            a.cacert = v;
        else if (!strcmp(k, "--max-seconds")) {
            char *end;
            a.max_seconds = strtod(v, &end);
            if (*end || a.max_seconds <= 0)
                usage();
        } else
            usage();
    }
    if (!a.url || !a.mode)
        usage();
    bool load = !strcmp(a.mode, "keepalive") || !strcmp(a.mode, "newconn") || !strcmp(a.mode, "download");
    bool hold = !strcmp(a.mode, "hold");
    if ((!load && !hold) || (load && (a.requests <= 0 || a.parallel <= 0)) || (hold && a.hold <= 0))
        usage();
    if ((a.background > 0) != (a.background_url != NULL) || (hold && a.background))
        usage();
    return a;
}

/* ---- main ------------------------------------------------------------- */

static void print_result(const char *client, const struct args *a, const struct window *w0,
                         const struct window *w1, long long rss_before, long long rss_open)
{
    bool hold = !strcmp(a->mode, "hold");
    double seconds = w1->wall - w0->wall;
    double cpu_user = w1->user - w0->user, cpu_sys = w1->sys - w0->sys;
    long long done = g.ok + g.failed > 0 ? g.ok + g.failed : 1;
    long long requests = hold ? a->hold : a->requests;
    long parallel = hold ? a->hold : a->parallel;
    printf("%s %s %s: %lld ok, %lld failed in %.3f s: %.0f/s, client CPU %.3f s (%.3f s per 100,000), "
           "%lld connections, %llu socket actions\n",
           client, a->mode, a->url, g.ok, g.failed, seconds, (double)done / (seconds > 1e-9 ? seconds : 1e-9),
           cpu_user + cpu_sys, (cpu_user + cpu_sys) * 100000.0 / (double)done, g.connections,
           w1->socket_actions - w0->socket_actions);
    char before[32] = "null", open[32] = "null", per[32] = "null";
    if (hold) {
        double per_open = (double)(rss_open > rss_before ? rss_open - rss_before : 0) / (double)a->hold;
        printf("RSS before %lld B, with %ld open %lld B: %.0f B per open transfer\n", rss_before, a->hold,
               rss_open, per_open);
        snprintf(before, sizeof before, "%lld", rss_before);
        snprintf(open, sizeof open, "%lld", rss_open);
        snprintf(per, sizeof per, "%.0f", per_open);
    }
    printf("{\"client\": \"%s\", \"mode\": \"%s\", \"parallel\": %ld, \"requests\": %lld, \"ok\": %lld, "
           "\"failed\": %lld, \"seconds\": %.6f, \"cpu_user\": %.6f, \"cpu_sys\": %.6f, \"max_rss_kb\": %ld, "
           "\"body_bytes\": %llu, \"connections\": %lld, \"socket_actions\": %llu, \"background\": %ld, "
           "\"rss_before\": %s, \"rss_open\": %s, \"rss_per_open\": %s}\n",
           client, a->mode, parallel, requests, g.ok, g.failed, seconds, cpu_user, cpu_sys, max_rss_kb(),
           g.body_bytes, g.connections, w1->socket_actions - w0->socket_actions, a->background, before, open,
           per);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct args a = parse_args(argc, argv);
    cainfo = a.cacert;
    g.deadline = now() + a.max_seconds;
    bool hold = !strcmp(a.mode, "hold");

    long fd_limit = raise_fd_limit();
    long needed = (hold ? a.hold : a.parallel + a.background) + 64;
    if (needed > fd_limit) {
        fprintf(stderr, "curl_multi: %ld descriptors needed, the limit is %ld\n", needed, fd_limit);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fprintf(stderr, "curl_multi: curl_global_init failed\n");
        return 2;
    }
    char client[64];
    snprintf(client, sizeof client, "libcurl-%s", curl_version_info(CURLVERSION_NOW)->version);

    g.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (g.epfd < 0)
        die("epoll_create1");
    g.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (g.tfd < 0)
        die("timerfd_create");
    struct epoll_event tev;
    memset(&tev, 0, sizeof tev);
    tev.events = EPOLLIN;
    tev.data.fd = g.tfd;
    if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.tfd, &tev) < 0)
        die("epoll_ctl(timerfd)");

    g.multi = curl_multi_init();
    if (!g.multi) {
        fprintf(stderr, "curl_multi: curl_multi_init failed\n");
        return 2;
    }
    curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    /* Held transfers (hold mode, background) get a connection each: no
     * per-host limit while they are opened. */
    curl_multi_setopt(g.multi, CURLMOPT_MAXCONNECTS, hold ? a.hold : a.parallel + a.background);

    int status = 0;
    if (hold) {
        long long rss_before = rss_bytes();
        struct window w0 = window_now();
        struct xfer *xs = open_held(a.url, a.hold);
        long long rss_open = rss_bytes();
        struct window w1 = window_now();
        g.ok = g.heads;
        g.failed = a.hold - g.heads;
        for (long i = 0; i < a.hold; i++) {
            long connects = 0;
            curl_easy_getinfo(xs[i].easy, CURLINFO_NUM_CONNECTS, &connects);
            g.connections += connects;
        }
        print_result(client, &a, &w0, &w1, rss_before, rss_open);
        /* Exit without waiting for the held transfers (nor freeing them). */
        _exit(g.heads == a.hold ? 0 : 1);
    }

    if (a.background_url) {
        open_held(a.background_url, a.background); /* they stay open */
        if (g.heads < a.background) {
            fprintf(stderr, "curl_multi: only %ld of %ld background transfers got their head\n", g.heads,
                    a.background);
            return 1;
        }
    }

    /* At most C connections for the load; the limit is per host and port,
     * so the held background transfers count against it only when they go
     * to the same one. */
    long per_host = a.parallel;
    if (a.background_url && same_origin(a.url, a.background_url))
        per_host += a.background;
    curl_multi_setopt(g.multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host);

    /* The measured load: exactly C in flight, each finished handle reused. */
    bool forbid_reuse = !strcmp(a.mode, "newconn");
    long slots = a.requests < a.parallel ? (long)a.requests : a.parallel;
    struct xfer *xs = calloc((size_t)slots, sizeof *xs);
    if (!xs)
        die("calloc");
    for (long i = 0; i < slots; i++)
        new_easy(a.url, &xs[i], KIND_LOAD, forbid_reuse);
    g.requests = a.requests;
    struct window w0 = window_now();
    for (long i = 0; i < slots; i++) {
        add_handle(xs[i].easy);
        g.started++;
    }
    socket_action(CURL_SOCKET_TIMEOUT, 0);
    drain_info();
    while (g.ok + g.failed < g.requests && now() < g.deadline)
        step();
    struct window w1 = window_now();
    if (g.ok + g.failed < g.requests) {
        fprintf(stderr, "curl_multi: --max-seconds passed with %lld of %lld requests done\n", g.ok + g.failed,
                g.requests);
        status = 1;
    }
    if (g.failed || g.held_ended)
        status = 1;
    print_result(client, &a, &w0, &w1, 0, 0);

    if (a.background_url)
        _exit(status); /* the held transfers are not waited for */
    for (long i = 0; i < slots; i++) {
        curl_multi_remove_handle(g.multi, xs[i].easy);
        curl_easy_cleanup(xs[i].easy);
    }
    free(xs);
    curl_multi_cleanup(g.multi);
    curl_global_cleanup();
    close(g.tfd);
    close(g.epfd);
    return status;
}
