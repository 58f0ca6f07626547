/* Transfers through an HTTP proxy (argv[1]: the proxy, "127.0.0.1:PORT",
 * a server that answers every request itself), one easy handle each:
 * CURLOPT_PROXY in its forms, CURLOPT_PROXYPORT, credentials of the proxy
 * and of the URL, CURLOPT_NOPROXY, the environment (http_proxy read,
 * HTTP_PROXY not), a proxy name that does not resolve and proxy kinds.
 * Prints one line per case: its name, the result code, the response code.
 * The test compares the lines and the requests the proxy received. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body_callbacks.h"

static size_t header_line(char *data, size_t size, size_t n, void *user) {
  (void)user;
  printf("  header: %.*s", (int)(size * n), data);
  if (size * n < 2 || data[size * n - 1] != '\n')
    printf("\n");
  return size * n;
}

/* An https:// transfer through a CONNECT proxy, trusting `ca`: its code,
 * response, CONNECT code and every header line. */
static void tunnel(const char *name, const char *proxy, const char *url, const char *ca) {
  CURL *h = curl_easy_init();
  long code = 0, connect_code = 0;
  CURLcode rc;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROXY, proxy);
  curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_line);
  printf("%s:\n", name);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  printf("%s: perform %d response %ld connect %ld\n", name, (int)rc, code, connect_code);
  curl_easy_cleanup(h);
}

struct setup {
  const char *name;
  const char *url;
  const char *proxy; /* NULL: not set */
  long proxyport;    /* 0: not set */
  const char *noproxy;
  long proxytype; /* -1: not set */
};

static void run(const struct setup *s, const char *proxy_addr) {
  char proxy[256];
  char err[CURL_ERROR_SIZE] = "";
  CURL *h = curl_easy_init();
  long code = 0;
  CURLcode rc;
  CURLcode set = CURLE_OK;
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
  /* Every case ends within a bound, whatever goes wrong. */
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  if (s->proxy) {
    /* "%s" in a proxy string stands for the test's proxy address. */
    snprintf(proxy, sizeof proxy, s->proxy, proxy_addr);
    set = curl_easy_setopt(h, CURLOPT_PROXY, proxy);
  }
  if (s->proxyport)
    curl_easy_setopt(h, CURLOPT_PROXYPORT, s->proxyport);
  if (s->noproxy)
    curl_easy_setopt(h, CURLOPT_NOPROXY, s->noproxy);
  if (s->proxytype >= 0)
    set = curl_easy_setopt(h, CURLOPT_PROXYTYPE, s->proxytype);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  printf("%s: setopt %d perform %d response %ld\n", s->name, (int)set, (int)rc, code);
  fprintf(stderr, "%s: %s\n", s->name, err);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv) {
  const char *addr;
  char port_only[64];
  const char *colon;
  if (argc < 2) {
    fprintf(stderr, "usage: proxy 127.0.0.1:PORT\n");
    return 2;
  }
  addr = argv[1];
  colon = strrchr(addr, ':');
  snprintf(port_only, sizeof port_only, "%s", colon ? colon + 1 : "0");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("all_proxy");
  unsetenv("ALL_PROXY");
  unsetenv("no_proxy");
  unsetenv("NO_PROXY");
  {
    const struct setup cases[] = {
        {"plain", "http://origin.invalid/a/b?c=1#frag", "%s", 0, NULL, -1},
        {"scheme", "http://origin.invalid:8080/", "http://%s", 0, NULL, -1},
        {"proxy credentials", "http://origin.invalid/p", "http://us%%40er:pw@%s", 0, NULL, -1},
        {"both credentials", "http://u:p@origin.invalid/both", "http://pu:pp@%s", 0, NULL, -1},
        {"noproxy spares", "http://origin.invalid/n", "%s", 0, "invalid", -1},
        {"noproxy others", "http://origin.invalid/o", "%s", 0, "example.com,.test", -1},
        {"noproxy star", "http://origin.invalid/s", "%s", 0, "*", -1},
        {"empty proxy", "http://origin.invalid/e", "", 0, NULL, -1},
        {"proxy unresolved", "http://origin.invalid/u", "proxy.invalid:3128", 0, NULL, -1},
        {"socks5", "http://origin.invalid/k", "socks5://127.0.0.1:1", 0, NULL, -1},
        {"type http", "http://origin.invalid/t", "%s", 0, NULL, CURLPROXY_HTTP},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
      run(&cases[i], addr);
  }
  {
    /* The port from CURLOPT_PROXYPORT when the string has none. */
    struct setup s = {"proxyport", "http://origin.invalid/pp", "127.0.0.1", 0, NULL, -1};
    s.proxyport = strtol(port_only, NULL, 10);
    run(&s, addr);
  }
  {
    /* The environment: http_proxy is read, HTTP_PROXY never. */
    struct setup s = {"env http_proxy", "http://origin.invalid/env", NULL, 0, NULL, -1};
    setenv("http_proxy", addr, 1);
    run(&s, addr);
    unsetenv("http_proxy");
    setenv("no_proxy", "origin.invalid", 1);
    setenv("http_proxy", addr, 1);
    s.name = "env no_proxy";
    run(&s, addr);
    unsetenv("no_proxy");
    unsetenv("http_proxy");
    setenv("HTTP_PROXY", addr, 1);
    s.name = "env HTTP_PROXY";
    run(&s, addr);
    unsetenv("HTTP_PROXY");
    setenv("all_proxy", addr, 1);
    s.name = "env all_proxy";
    run(&s, addr);
    unsetenv("all_proxy");
  }
  if (argc >= 6) {
    /* argv[2]: a tunnelling proxy, argv[3]: an https:// URL through it,
     * argv[4]: the CA that signed the origin, argv[5]: a proxy that
     * refuses CONNECT with 407. */
    char with_credentials[256];
    snprintf(with_credentials, sizeof with_credentials, "http://u:p@%s", argv[2]);
    tunnel("tunnel", with_credentials, argv[3], argv[4]);
    tunnel("tunnel refused", argv[5], argv[3], argv[4]);
    {
      /* http:// through the tunnel with HTTPPROXYTUNNEL, to the recording
       * server (named localhost, which only the proxy resolves). */
      char url[256];
      long code = 0, connect_code = 0;
      CURLcode rc;
      CURL *h = curl_easy_init();
      snprintf(url, sizeof url, "http://localhost:%s/tunnelled", port_only);
      curl_easy_setopt(h, CURLOPT_URL, url);
      curl_easy_setopt(h, CURLOPT_PROXY, argv[2]);
      curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
      curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
      rc = curl_easy_perform(h);
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
      curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
      printf("http tunnel: perform %d response %ld connect %ld\n", (int)rc, code, connect_code);
      curl_easy_cleanup(h);
    }
  }
  curl_global_cleanup();
  return 0;
}
