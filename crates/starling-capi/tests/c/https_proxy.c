/* Transfers through HTTPS proxies (TLS to the proxy), one easy handle per
 * case unless a case says it reuses one:
 *   argv[1]: "127.0.0.1:PORT", an HTTPS server for 127.0.0.1 that
 *            answers absolute-form requests itself (/headers echoes the
 *            request's fields);
 *   argv[2]: the CA file that signed every certificate here;
 *   argv[3]: "127.0.0.1:PORT", an HTTPS CONNECT proxy for 127.0.0.1;
 *   argv[4]: an https:// URL on localhost behind it;
 *   argv[5]: "127.0.0.1:PORT", an HTTPS server whose certificate names
 *            another host;
 *   argv[6]: "127.0.0.1:PORT", an HTTPS CONNECT proxy asking for Basic
 *            credentials u:p.
 * Prints per case its name, the setopt and perform codes, the response
 * and CONNECT codes, the connections made and whether an appconnect time
 * was recorded, and for /headers the body. The test compares the lines. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body_callbacks.h"

static size_t print_body(char *data, size_t size, size_t n, void *user) {
  (void)user;
  printf("  body: %.*s", (int)(size * n), data);
  return size * n;
}

struct setup {
  const char *name;
  const char *url;
  const char *proxy; /* "https://%s" style: %s is the proxy argument */
  const char *proxy_arg;
  long proxytype;    /* -1: not set */
  int proxy_ca;      /* PROXY_CAINFO set to the CA */
  int origin_ca;     /* CAINFO set to the CA */
  long verifypeer;   /* PROXY_SSL_VERIFYPEER, -1: not set */
  long verifyhost;   /* PROXY_SSL_VERIFYHOST, -1: not set */
  const char *proxy_userpwd;
  int show_body;
};

static void run_on(CURL *h, const struct setup *s, const char *ca) {
  char proxy[256];
  char err[CURL_ERROR_SIZE] = "";
  long code = 0, connect_code = 0, connects = -1, avail = 0;
  double appconnect = 0;
  CURLcode set = CURLE_OK, rc;
  curl_easy_setopt(h, CURLOPT_URL, s->url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s->show_body ? print_body : discard);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
  /* Every case ends within a bound, whatever goes wrong. */
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "");
  snprintf(proxy, sizeof proxy, s->proxy, s->proxy_arg);
  curl_easy_setopt(h, CURLOPT_PROXY, proxy);
  if (s->proxytype >= 0)
    set = curl_easy_setopt(h, CURLOPT_PROXYTYPE, s->proxytype);
  if (s->proxy_ca && set == CURLE_OK)
    set = curl_easy_setopt(h, CURLOPT_PROXY_CAINFO, ca);
  if (s->origin_ca && set == CURLE_OK)
    set = curl_easy_setopt(h, CURLOPT_CAINFO, ca);
  if (s->verifypeer >= 0 && set == CURLE_OK)
    set = curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYPEER, s->verifypeer);
  if (s->verifyhost >= 0 && set == CURLE_OK)
    set = curl_easy_setopt(h, CURLOPT_PROXY_SSL_VERIFYHOST, s->verifyhost);
  if (s->proxy_userpwd && set == CURLE_OK) {
    set = curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, s->proxy_userpwd);
    curl_easy_setopt(h, CURLOPT_PROXYAUTH, (long)CURLAUTH_ANY);
  }
  printf("%s:\n", s->name);
  fflush(stdout);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME, &appconnect);
  curl_easy_getinfo(h, CURLINFO_PROXYAUTH_AVAIL, &avail);
  printf("%s: setopt %d perform %d response %ld connect %ld connects %ld appconnect %s "
         "proxyauth_avail %ld\n",
         s->name, (int)set, (int)rc, code, connect_code, connects,
         appconnect > 0 ? "yes" : "no", avail);
  fprintf(stderr, "%s: %s\n", s->name, err);
}

static void run(const struct setup *s, const char *ca) {
  CURL *h = curl_easy_init();
  run_on(h, s, ca);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv) {
  const char *absolute, *ca, *tunnel, *origin, *wrong_name, *asking;
  char plain_url[256];
  if (argc < 7) {
    fprintf(stderr, "usage: https_proxy ABS CA TUNNEL ORIGIN_URL WRONG_NAME ASKING\n");
    return 2;
  }
  absolute = argv[1];
  ca = argv[2];
  tunnel = argv[3];
  origin = argv[4];
  wrong_name = argv[5];
  asking = argv[6];
  snprintf(plain_url, sizeof plain_url, "%s", "http://origin.invalid/headers");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  {
    const struct setup cases[] = {
        {"absolute", plain_url, "https://%s", absolute, -1, 1, 0, -1, -1, NULL, 1},
        {"proxytype https", "http://origin.invalid/bytes/5", "%s", absolute, CURLPROXY_HTTPS,
         1, 0, -1, -1, NULL, 0},
        {"origin ca only", "http://origin.invalid/bytes/5", "https://%s", absolute, -1, 0, 1, -1,
         -1, NULL, 0},
        {"wrong name", "http://origin.invalid/bytes/5", "https://%s", wrong_name, -1, 1, 0, -1,
         -1, NULL, 0},
        {"wrong name verifyhost 0", "http://origin.invalid/bytes/5", "https://%s", wrong_name,
         -1, 1, 0, -1, 0, NULL, 0},
        {"wrong name verifyhost 1", "http://origin.invalid/bytes/5", "https://%s", wrong_name,
         -1, 1, 0, -1, 1, NULL, 0},
        {"unknown ca verifyhost 0", "http://origin.invalid/bytes/5", "https://%s", wrong_name,
         -1, 0, 0, -1, 0, NULL, 0},
        {"verifypeer 0", "http://origin.invalid/bytes/5", "https://%s", absolute, -1, 0, 0, 0,
         -1, NULL, 0},
        {"verifypeer 0 wrong name", "http://origin.invalid/bytes/5", "https://%s", wrong_name,
         -1, 0, 0, 0, -1, NULL, 0},
        {"insecure", "http://origin.invalid/bytes/5", "https://%s", wrong_name, -1, 0, 0, 0, 0,
         NULL, 0},
        {"tunnel", origin, "https://%s", tunnel, -1, 1, 1, -1, -1, NULL, 0},
        {"tunnel origin untrusted", origin, "https://%s", tunnel, -1, 1, 0, -1, -1, NULL, 0},
        {"tunnel proxy untrusted", origin, "https://%s", tunnel, -1, 0, 1, -1, -1, NULL, 0},
        {"tunnel credentials", origin, "https://%s", asking, -1, 1, 1, -1, -1, "u:p", 0},
        {"tunnel wrong credentials", origin, "https://%s", asking, -1, 1, 1, -1, -1, "u:x", 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
      run(&cases[i], ca);
  }
  {
    /* One handle, twice: the second transfer takes the kept connection. */
    struct setup s = {"reuse absolute", "http://origin.invalid/bytes/5", "https://%s", absolute,
                      -1, 1, 0, -1, -1, NULL, 0};
    struct setup t = {"reuse tunnel", NULL, "https://%s", tunnel, -1, 1, 1, -1, -1, NULL, 0};
    CURL *h = curl_easy_init();
    run_on(h, &s, ca);
    run_on(h, &s, ca);
    curl_easy_cleanup(h);
    t.url = origin;
    h = curl_easy_init();
    run_on(h, &t, ca);
    run_on(h, &t, ca);
    curl_easy_cleanup(h);
  }
  curl_global_cleanup();
  return 0;
}
