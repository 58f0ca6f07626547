/* The cookie engine (argv[1]: "127.0.0.1:PORT" of a server with the
 * /set-cookie route; argv[2]: a cookie file to read; argv[3]: where to
 * write the jar): COOKIEFILE, COOKIEJAR, COOKIESESSION, COOKIELIST's
 * commands and lines, CURLINFO_COOKIELIST, COOKIE beside the jar. One
 * handle performs each step in turn; for each, the trace's words on
 * cookies, the Cookie field sent, the jar's list and the codes. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "body_callbacks.h"
#include "trace_filter.h"

static void list(CURL *h, const char *when) {
  struct curl_slist *cookies = NULL, *c;
  curl_easy_getinfo(h, CURLINFO_COOKIELIST, &cookies);
  printf("  jar %s:\n", when);
  for (c = cookies; c; c = c->next)
    printf("    %s\n", c->data);
  curl_slist_free_all(cookies);
}

static void get(CURL *h, const char *addr, const char *host, const char *path) {
  char url[2048];
  long code = 0;
  CURLcode rc;
  snprintf(url, sizeof url, "http://%s%s%s", host ? host : addr,
           host ? strchr(addr, ':') : "", path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  printf("%s:\n", path);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  printf("  perform %d response %ld\n", (int)rc, code);
}

int main(int argc, char **argv) {
  static const char *const words[] = {"ookie", "dropped", NULL};
  trace_words = words;
  trace_field = "Cookie: ";
  const char *addr;
  CURL *h;
  if (argc < 4)
    return 2;
  addr = argv[1];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  /* No engine yet: Set-Cookie is not learnt. */
  get(h, addr, NULL, "/set-cookie?v=early%3D1");
  list(h, "without an engine");
  printf("setopt COOKIEFILE: %d\n", (int)curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""));
  get(h, addr, NULL, "/set-cookie?v=a%3D1&v=b%3D2%3B%20Path%3D%2F&v=p%3Dx%3B%20Path%3D%2Fdeep%2F");
  get(h, addr, NULL, "/deep/er");
  get(h, addr, NULL, "/set-cookie?v=a%3D3%3B%20Path%3D%2F&v=s%3D1%3B%20Secure%3B%20HttpOnly%3B%20Path%3D%2F"
                     "&v=e%3D1%3B%20Max-Age%3D0&v=d%3D1%3B%20Domain%3Dother.example"
                     "&v=bad&v=%3Dnoname&v=q%3D%22quoted%22%3B%20Path%3D%2F");
  list(h, "after a response");
  get(h, addr, NULL, "/x");
  /* COOKIE beside the jar: one field, the jar's first. */
  curl_easy_setopt(h, CURLOPT_COOKIE, "own=x");
  get(h, addr, NULL, "/x");
  curl_easy_setopt(h, CURLOPT_COOKIE, NULL);
  /* A host name: localhost and its own domain. */
  get(h, addr, "localhost", "/set-cookie?v=l%3D1%3B%20Domain%3Dlocalhost%3B%20Path%3D%2F");
  get(h, addr, "localhost", "/y");
  /* COOKIELIST lines and commands. */
  printf("setopt COOKIELIST line: %d\n",
         (int)curl_easy_setopt(h, CURLOPT_COOKIELIST, "Set-Cookie: c=3; Path=/; domain=127.0.0.1"));
  printf("setopt COOKIELIST netscape: %d\n",
         (int)curl_easy_setopt(h, CURLOPT_COOKIELIST,
                               "127.0.0.1\tFALSE\t/\tFALSE\t4102444800\tn\tnet"));
  list(h, "after lines");
  get(h, addr, NULL, "/z");
  curl_easy_setopt(h, CURLOPT_COOKIELIST, "SESS");
  list(h, "after SESS");
  curl_easy_setopt(h, CURLOPT_COOKIELIST, "ALL");
  list(h, "after ALL");
  /* A file read at the next transfer, its session cookies left out. */
  curl_easy_setopt(h, CURLOPT_COOKIESESSION, 1L);
  curl_easy_setopt(h, CURLOPT_COOKIEFILE, argv[2]);
  get(h, addr, NULL, "/f");
  list(h, "after the file");
  curl_easy_setopt(h, CURLOPT_COOKIEJAR, argv[3]);
  curl_easy_cleanup(h);
  {
    /* Two handles sharing their cookies through a share. */
    CURLSH *sh = curl_share_init();
    CURL *a = curl_easy_init(), *b = curl_easy_init();
    printf("share COOKIE: %d\n", (int)curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE));
    for (CURL **p = (CURL *[]){a, b, NULL}; *p; p++) {
      curl_easy_setopt(*p, CURLOPT_SHARE, sh);
      curl_easy_setopt(*p, CURLOPT_COOKIEFILE, "");
      curl_easy_setopt(*p, CURLOPT_TIMEOUT, 20L);
      curl_easy_setopt(*p, CURLOPT_VERBOSE, 1L);
      curl_easy_setopt(*p, CURLOPT_DEBUGFUNCTION, trace);
      curl_easy_setopt(*p, CURLOPT_WRITEFUNCTION, discard);
    }
    get(a, addr, NULL, "/set-cookie?v=shared%3D1%3B%20Path%3D%2F");
    get(b, addr, NULL, "/s");
    list(b, "of the other handle");
    curl_easy_cleanup(a);
    curl_easy_cleanup(b);
    curl_share_cleanup(sh);
  }
  {
    char line[1024];
    FILE *f = fopen(argv[3], "r");
    printf("jar file:\n");
    while (f && fgets(line, sizeof line, f))
      printf("  %s", line);
    if (f)
      fclose(f);
  }
  curl_global_cleanup();
  return 0;
}
