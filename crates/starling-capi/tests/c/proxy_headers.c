/* Header fields for the proxy (argv[1]: a server that answers every
 * request itself, used as an HTTP proxy; argv[2]: a proxy that tunnels
 * CONNECT to that server, named localhost): CURLOPT_PROXYHEADER beside
 * CURLOPT_HTTPHEADER, with CURLOPT_HEADEROPT separate (the default) and
 * unified, on requests in absolute form and on CONNECT, and proxy fields
 * that replace or remove the ones libcurl writes, and `Name;` entries.
 * Prints each case's
 * codes; the test compares what the proxies and the server received. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "body_callbacks.h"

struct headers_case {
  const char *name;
  int tunnel;              /* through argv[2] with HTTPPROXYTUNNEL */
  long headeropt;          /* -1: not set */
  const char *server[3];   /* HTTPHEADER lines */
  const char *proxy[4];    /* PROXYHEADER lines */
  const char *user_agent;  /* CURLOPT_USERAGENT */
};

static struct curl_slist *list_of(const char *const *lines, size_t n) {
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < n && lines[i]; i++)
    list = curl_slist_append(list, lines[i]);
  return list;
}

static void run(const struct headers_case *c, char **argv) {
  char url[256];
  long code = 0, connect_code = 0;
  CURLcode rc;
  CURL *h = curl_easy_init();
  struct curl_slist *server = list_of(c->server, 3), *proxy = list_of(c->proxy, 4);
  snprintf(url, sizeof url, "http://%s:%s/%s", c->tunnel ? "localhost" : "origin.test",
           strchr(argv[1], ':') + 1, c->name);
  for (char *p = url; *p; p++)
    if (*p == ' ')
      *p = '-';
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROXY, c->tunnel ? argv[2] : argv[1]);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "");
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  if (c->tunnel)
    curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
  if (c->headeropt >= 0)
    curl_easy_setopt(h, CURLOPT_HEADEROPT, c->headeropt);
  if (server)
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, server);
  if (proxy)
    curl_easy_setopt(h, CURLOPT_PROXYHEADER, proxy);
  if (c->user_agent)
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  printf("%s: perform %d response %ld connect %ld\n", c->name, (int)rc, code, connect_code);
  curl_easy_cleanup(h);
  curl_slist_free_all(server);
  curl_slist_free_all(proxy);
}

int main(int argc, char **argv) {
  static const struct headers_case cases[] = {
    {.name = "absolute separate", .headeropt = -1, .server = {"X-Server: s"},
     .proxy = {"X-Proxy: p"}},
    {.name = "absolute unified", .headeropt = CURLHEADER_UNIFIED, .server = {"X-Server: s"},
     .proxy = {"X-Proxy: p"}},
    {.name = "absolute proxy fields", .headeropt = -1,
     .proxy = {"Proxy-Connection:", "User-Agent: from-proxy-list", "Accept: text/x"},
     .user_agent = "ua/1"},
    {.name = "connect separate", .tunnel = 1, .headeropt = -1, .server = {"X-Server: s"},
     .proxy = {"X-Proxy: p"}},
    {.name = "connect unified", .tunnel = 1, .headeropt = CURLHEADER_UNIFIED,
     .server = {"X-Server: s"}, .proxy = {"X-Proxy: p"}},
    {.name = "connect replaced", .tunnel = 1, .headeropt = -1,
     .proxy = {"User-Agent: proxy-ua", "Proxy-Connection: close", "Host: other:1"},
     .user_agent = "ua/2"},
    {.name = "connect removed", .tunnel = 1, .headeropt = -1,
     .proxy = {"Proxy-Connection:", "User-Agent:"}, .user_agent = "ua/3"},
    /* `Name;` sends the field empty; `Name; ` and `Name;x` send nothing
     * but keep libcurl's own field of the name from going out. */
    {.name = "absolute empty fields", .headeropt = -1,
     .server = {"X-Empty;", "Accept; ", "User-Agent;x"},
     .proxy = {"X-Proxy-Empty;", "Proxy-Connection;"}, .user_agent = "ua/4"},
    {.name = "connect empty fields", .tunnel = 1, .headeropt = -1, .server = {"X-Empty;"},
     .proxy = {"X-Proxy-Empty;", "User-Agent;", "Proxy-Connection; "}, .user_agent = "ua/5"},
  };
  if (argc < 3)
    return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run(&cases[i], argv);
  curl_global_cleanup();
  return 0;
}
