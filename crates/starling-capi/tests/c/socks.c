/* Transfers through SOCKS proxies (argv[1]: the origin, "127.0.0.1:PORT";
 * argv[2]: a SOCKS proxy; argv[3]: one that wants user "u", password "p";
 * argv[4]: one refusing with SOCKS4 code 91; argv[5]: one refusing with
 * SOCKS5 code 5; argv[6]: one answering garbage; argv[7]: a port where
 * nothing listens): the proxy's kinds by scheme and by CURLOPT_PROXYTYPE,
 * names resolved here or by the proxy, credentials, refusals. Prints per
 * case the trace's words on SOCKS, the result code, the response code,
 * CURLINFO_PROXY_ERROR and the body bytes delivered. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include "trace_filter.h"

static size_t body_bytes;

static size_t count_body(char *data, size_t size, size_t n, void *user) {
  (void)data;
  (void)user;
  body_bytes += size * n;
  return size * n;
}

struct socks_case {
  const char *name;
  const char *scheme; /* "socks5h://", or "" with .type */
  int proxy;          /* argv index of the proxy */
  const char *host;   /* the origin's name or address */
  long type;          /* CURLOPT_PROXYTYPE; 0: not set */
  const char *userpwd;       /* in the proxy string */
  const char *proxy_userpwd; /* CURLOPT_PROXYUSERPWD */
  int socks5_auth_none;      /* CURLOPT_SOCKS5_AUTH CURLAUTH_NONE */
  int pre;                   /* the SOCKS proxy as PRE_PROXY, the origin as an HTTP proxy */
};

static void run(const struct socks_case *c, char **argv) {
  char url[256], proxy[256];
  long code = -1, proxy_error = -1;
  CURLcode rc;
  CURL *h = curl_easy_init();
  snprintf(url, sizeof url, "http://%s:%s/bytes/10", c->host, strchr(argv[1], ':') + 1);
  snprintf(proxy, sizeof proxy, "%s%s%s%s", c->scheme, c->userpwd ? c->userpwd : "",
           c->userpwd ? "@" : "", argv[c->proxy]);
  curl_easy_setopt(h, CURLOPT_URL, url);
  if (c->pre) {
    /* The origin answers requests in absolute form itself: it is the
     * HTTP proxy, reached through the SOCKS one. */
    char http_proxy[256];
    snprintf(http_proxy, sizeof http_proxy, "http://%s", argv[1]);
    curl_easy_setopt(h, CURLOPT_PRE_PROXY, proxy);
    snprintf(proxy, sizeof proxy, "%s", http_proxy);
  }
  curl_easy_setopt(h, CURLOPT_PROXY, proxy);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_body);
  if (c->type)
    printf("%s: setopt PROXYTYPE %d\n", c->name,
           (int)curl_easy_setopt(h, CURLOPT_PROXYTYPE, c->type));
  if (c->proxy_userpwd)
    curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, c->proxy_userpwd);
  if (c->socks5_auth_none)
    printf("%s: setopt SOCKS5_AUTH %d\n", c->name,
           (int)curl_easy_setopt(h, CURLOPT_SOCKS5_AUTH, (long)CURLAUTH_NONE));
  printf("%s:\n", c->name);
  body_bytes = 0;
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_PROXY_ERROR, &proxy_error);
  printf("%s: perform %d response %ld proxy error %ld body %zu\n", c->name, (int)rc, code,
         proxy_error, body_bytes);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv) {
  static const char *const words[] = {"SOCKS", "socks", NULL};
  trace_words = words;
  static const struct socks_case cases[] = {
    {.name = "socks4 to an address", .scheme = "socks4://", .proxy = 2, .host = "127.0.0.1"},
    {.name = "socks4 to a name", .scheme = "socks4://", .proxy = 2, .host = "localhost"},
    {.name = "socks4a", .scheme = "socks4a://", .proxy = 2, .host = "localhost"},
    {.name = "socks5 to a name", .scheme = "socks5://", .proxy = 2, .host = "localhost"},
    {.name = "socks5 to an address", .scheme = "socks5://", .proxy = 2, .host = "127.0.0.1"},
    {.name = "socks5h", .scheme = "socks5h://", .proxy = 2, .host = "localhost"},
    {.name = "proxytype socks5", .scheme = "", .proxy = 2, .host = "localhost", .type = 5},
    {.name = "proxytype socks5 hostname", .scheme = "", .proxy = 2, .host = "localhost",
     .type = 7},
    {.name = "proxytype socks4a", .scheme = "", .proxy = 2, .host = "localhost", .type = 6},
    {.name = "socks5h with credentials", .scheme = "socks5h://", .proxy = 3, .host = "localhost",
     .userpwd = "u:p"},
    {.name = "socks5h with proxyuserpwd", .scheme = "socks5h://", .proxy = 3,
     .host = "localhost", .proxy_userpwd = "u:p"},
    {.name = "socks5h without credentials", .scheme = "socks5h://", .proxy = 3,
     .host = "localhost"},
    {.name = "pre-proxy socks5h", .scheme = "socks5h://", .proxy = 2, .host = "origin.test", .pre = 1},
    {.name = "pre-proxy socks4", .scheme = "socks4://", .proxy = 2, .host = "origin.test", .pre = 1},
    {.name = "pre-proxy socks4a", .scheme = "socks4a://", .proxy = 2, .host = "origin.test", .pre = 1},
    {.name = "pre-proxy without a scheme", .scheme = "", .proxy = 2, .host = "origin.test", .pre = 1},
    {.name = "pre-proxy refused", .scheme = "socks5://", .proxy = 5, .host = "origin.test", .pre = 1},
    {.name = "socks5h without basic", .scheme = "socks5h://", .proxy = 3, .host = "localhost",
     .userpwd = "u:p", .socks5_auth_none = 1},
    {.name = "socks5h wrong password", .scheme = "socks5h://", .proxy = 3, .host = "localhost",
     .userpwd = "u:x"},
    {.name = "socks4 with a user", .scheme = "socks4://", .proxy = 3, .host = "localhost",
     .userpwd = "u:p"},
    {.name = "socks4 refused", .scheme = "socks4://", .proxy = 4, .host = "127.0.0.1"},
    {.name = "socks5 refused", .scheme = "socks5://", .proxy = 5, .host = "127.0.0.1"},
    {.name = "socks5h refused", .scheme = "socks5h://", .proxy = 5, .host = "localhost"},
    {.name = "socks5 garbage", .scheme = "socks5://", .proxy = 6, .host = "127.0.0.1"},
    {.name = "socks4 garbage", .scheme = "socks4://", .proxy = 6, .host = "127.0.0.1"},
    {.name = "socks5 nothing listening", .scheme = "socks5://", .proxy = 7, .host = "127.0.0.1"},
    {.name = "socks4 to a name that does not resolve", .scheme = "socks4://", .proxy = 2,
     .host = "nonexistent.invalid"},
    {.name = "socks5 to a name that does not resolve", .scheme = "socks5://", .proxy = 2,
     .host = "nonexistent.invalid"},
    {.name = "socks5 to a name that does not resolve, nothing listening", .scheme = "socks5://",
     .proxy = 7, .host = "nonexistent.invalid"},
    {.name = "socks5h to a name the proxy cannot reach", .scheme = "socks5h://", .proxy = 2,
     .host = "nonexistent.invalid"},
  };
  if (argc < 8)
    return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run(&cases[i], argv);
  curl_global_cleanup();
  return 0;
}
