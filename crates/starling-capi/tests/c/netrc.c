/* Credentials from .netrc (argv[1]: "127.0.0.1:PORT" of a server with the
 * auth and redirect routes; argv[2]: a .netrc file with entries for
 * 127.0.0.1, localhost and a default; argv[3]: one with an entry for
 * another host only; argv[4]: a file that does not exist; argv[5]: a
 * file with a quote left open): CURLOPT_NETRC optional and required,
 * CURLOPT_NETRC_FILE, against the URL's credentials and USERPWD, and
 * across a redirect to another host. Prints the Authorization each
 * request sends, the trace's words on the file, and the codes. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "body_callbacks.h"
#include "trace_filter.h"

struct netrc_case {
  const char *name;
  const char *url; /* "%s" stands for the server's address, "%p" its port */
  long mode;
  int file;        /* argv index of the .netrc file */
  const char *userpwd;
  int follow;
  int localhost; /* "%s" in the URL is the port alone */
};

static void run(const struct netrc_case *c, char **argv) {
  char url[512];
  const char *port = strchr(argv[1], ':') + 1;
  long code = 0;
  CURLcode rc;
  CURL *h = curl_easy_init();
  /* The URL template: "%s" the address (then the port), or the port. */
  if (c->localhost)
    snprintf(url, sizeof url, c->url, port);
  else
    snprintf(url, sizeof url, c->url, argv[1], port);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_NETRC, c->mode);
  curl_easy_setopt(h, CURLOPT_NETRC_FILE, argv[c->file]);
  if (c->userpwd)
    curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
  if (c->follow)
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  printf("%s:\n", c->name);
  rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  printf("%s: perform %d response %ld\n", c->name, (int)rc, code);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv) {
  static const char *const words[] = {"netrc", "find host", NULL};
  trace_words = words;
  trace_field = "Authorization: ";
  static const struct netrc_case cases[] = {
    {.name = "optional", .url = "http://%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 2},
    {.name = "optional url user", .url = "http://ipuser@%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 2},
    {.name = "optional other url user", .url = "http://other:pw@%s/basic-auth/other/pw", .mode = CURL_NETRC_OPTIONAL, .file = 2},
    {.name = "optional url password", .url = "http://ipuser:url@%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 2},
    {.name = "required", .url = "http://x:y@%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_REQUIRED, .file = 2},
    {.name = "ignored", .url = "http://%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_IGNORED, .file = 2},
    {.name = "userpwd wins", .url = "http://%s/basic-auth/o/q", .mode = CURL_NETRC_OPTIONAL, .file = 2, .userpwd = "o:q"},
    {.name = "localhost entry", .url = "http://localhost:%s/basic-auth/nl/np", .mode = CURL_NETRC_OPTIONAL, .file = 2, .localhost = 1},
    {.name = "default entry", .url = "http://du@localhost:%s/basic-auth/du/dp", .mode = CURL_NETRC_OPTIONAL, .file = 3, .localhost = 1},
    {.name = "no entry", .url = "http://%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 3},
    {.name = "no entry required", .url = "http://u:p@%s/basic-auth/u/p", .mode = CURL_NETRC_REQUIRED, .file = 3},
    {.name = "no file", .url = "http://%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 4},
    {.name = "open quote", .url = "http://%s/basic-auth/ipuser/ippass", .mode = CURL_NETRC_OPTIONAL, .file = 5},
    {.name = "redirect to another host", .url = "http://%s/redirect/302?to=http%%3A%%2F%%2Flocalhost%%3A%s%%2Fbasic-auth%%2Fnl%%2Fnp", .mode = CURL_NETRC_OPTIONAL, .file = 2, .follow = 1},
  };
  if (argc < 6)
    return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run(&cases[i], argv);
  curl_global_cleanup();
  return 0;
}
