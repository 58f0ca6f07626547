/*
 * Alternative services (CURLOPT_ALTSVC_CTRL, CURLOPT_ALTSVC): an Alt-Svc
 * field of a response over HTTPS is learnt and the origin's next requests
 * connect to the alternative (one port of the test's two TLS servers to
 * the other), over plain HTTP nothing is learnt, "clear" forgets, the
 * cache file is read when set and written at cleanup (not with
 * READONLYFILE) in libcurl's format, an entry learnt over HTTP/2 is
 * looked up first, expired ones are dropped as met. Prints each
 * transfer's result, the port it connected to (A or B), the trace lines
 * about alternatives, and the cache file (a date within a minute of the
 * expected one as +Ns). Built against Debian's libcurl and against
 * Starling, the outputs must be the same (tests/altsvc.rs).
 *
 * usage: altsvc PORT-A PORT-B HTTP-PORT CA-FILE DIR
 *   PORT-A and PORT-B are TLS servers for "localhost"; HTTP-PORT a plain
 *   one; DIR is for the cache files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "named_text.h"

static const char *port_a, *port_b, *http_port, *ca;

static void print_portless(const char *text, size_t len);

/* The body's "host:" line, for /headers. */
static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  char *host;
  (void)userp;
  host = memmem(p, size * n, "host: ", 6);
  if(host) {
    char *end = memchr(host, '\n', size * n - (size_t)(host - p));
    printf("    body: ");
    print_portless(host, end ? (size_t)(end - host) : 6);
    printf("\n");
  }
  return size * n;
}

/* Prints `text` with the ports as A, B and HTTP. */
static void print_portless(const char *text, size_t len)
{
  const struct named names[] = {
    {port_a, "A"}, {port_b, "B"}, {http_port, "HTTP"}};
  print_named(text, len, names, 3);
}

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  (void)easy;
  (void)userp;
  if(type == CURLINFO_TEXT &&
     (!strncmp(data, "Alt-svc", 7) || !strncmp(data, "Added alt-svc", 13))) {
    printf("    trace: ");
    print_portless(data, size);
  }
  return 0;
}

static void transfer(CURL *easy, const char *base, const char *path)
{
  char url[512];
  long port = 0;
  CURLcode result;
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  printf("  ");
  print_portless(path, strlen(path));
  printf("\n");
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_PORT, &port);
  printf("    result %d, connected to ", (int)result);
  snprintf(url, sizeof(url), "%ld", port);
  print_portless(url, strlen(url));
  printf("\n");
}

/* Prints the cache file; a date is shown as its distance from now, in
   minutes, when it is within a day. */
static void print_file(const char *path)
{
  char line[512];
  FILE *f = fopen(path, "r");
  if(!f) {
    printf("  file: none\n");
    return;
  }
  while(fgets(line, sizeof(line), f)) {
    char *quote = strchr(line, '"');
    time_t t = quote ? read_quoted_date(quote) : 0, now = time(NULL);
    if(t > now - 86400 && t < now + 2 * 86400) {
      char rest[256];
      char *end = strchr(quote + 1, '"');
      snprintf(rest, sizeof(rest), "%s", end ? end + 1 : "\n");
      sprintf(quote, "+%ldmin%s", (long)((t - now + 30) / 60), rest);
    }
    printf("  file: ");
    print_portless(line, strlen(line));
  }
  fclose(f);
}

int main(int argc, char **argv)
{
  char file[512], tls_base[128], http_base[128], path[256];
  CURL *easy;
  FILE *f;
  if(argc != 6) {
    fprintf(stderr, "usage: altsvc PORT-A PORT-B HTTP-PORT CA-FILE DIR\n");
    return 2;
  }
  port_a = argv[1];
  port_b = argv[2];
  http_port = argv[3];
  ca = argv[4];
  snprintf(tls_base, sizeof(tls_base), "https://localhost:%s", port_a);
  snprintf(http_base, sizeof(http_base), "http://127.0.0.1:%s", http_port);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  printf("learnt over HTTPS, used, saved\n");
  snprintf(file, sizeof(file), "%s/learnt.txt", argv[5]);
  easy = curl_easy_init();
  printf("  ctrl 0: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_ALTSVC_CTRL, 0L));
  printf("  ctrl %d, file %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_ALTSVC_CTRL, CURLALTSVC_H1),
         (int)curl_easy_setopt(easy, CURLOPT_ALTSVC, file));
  snprintf(path, sizeof(path),
           "/alt-svc?v=h1%%3D%%22%%3A%s%%22%%3B%%20ma%%3D3600%%3B%%20persist%%3D1",
           port_b);
  transfer(easy, tls_base, path);
  transfer(easy, tls_base, "/headers");
  transfer(easy, http_base, "/alt-svc?v=h1%3D%22%3A1%22");
  curl_easy_cleanup(easy);
  print_file(file);

  printf("read from the file, read only\n");
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_ALTSVC_CTRL,
                   CURLALTSVC_H1 | CURLALTSVC_READONLYFILE);
  curl_easy_setopt(easy, CURLOPT_ALTSVC, file);
  transfer(easy, tls_base, "/bytes/3");
  /* Debian's 7.88 reads a "clear" that ends the field with the line end,
     and clears nothing; one followed by a parameter clears. */
  transfer(easy, tls_base, "/alt-svc?v=clear");
  transfer(easy, tls_base, "/bytes/3");
  transfer(easy, tls_base, "/alt-svc?v=clear%3B%20x%3D1");
  transfer(easy, tls_base, "/bytes/3");
  curl_easy_cleanup(easy);
  print_file(file);

  printf("written by hand\n");
  snprintf(file, sizeof(file), "%s/hand.txt", argv[5]);
  f = fopen(file, "w");
  fprintf(f, "# a comment\n"
          "h1 localhost %s h1 localhost 1 \"20000101 00:00:00\" 0 0\n"
          "h2 localhost %s h1 localhost %s \"20991231 23:59:59\" 0 0\n"
          "h1 localhost %s h1 localhost 2 \"20991231 23:59:59\" 0 0\n"
          "h9 localhost %s h1 localhost 3 \"20991231 23:59:59\" 0 0\n"
          "h1 other.test 443 h3 [::1] 8443 \"20991231 23:59:59\" 1 7\n"
          "not a line\n",
          port_a, port_a, port_b, port_a, port_a);
  fclose(f);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_ALTSVC, file);
  transfer(easy, tls_base, "/bytes/3");
  curl_easy_cleanup(easy);
  print_file(file);

  printf("learnt through an alternative\n");
  snprintf(file, sizeof(file), "%s/through.txt", argv[5]);
  f = fopen(file, "w");
  fprintf(f, "h1 localhost %s h1 localhost %s \"20991231 23:59:59\" 0 0\n",
          port_a, port_b);
  fclose(f);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_ALTSVC, file);
  snprintf(path, sizeof(path), "/alt-svc?v=h1%%3D%%22%%3A%s%%22%%3B%%20ma%%3D120",
           port_a);
  transfer(easy, tls_base, path);
  transfer(easy, tls_base, "/bytes/3");
  curl_easy_cleanup(easy);
  print_file(file);

  printf("several alternatives, some unusable\n");
  snprintf(file, sizeof(file), "%s/several.txt", argv[5]);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_ALTSVC_CTRL, CURLALTSVC_H1);
  curl_easy_setopt(easy, CURLOPT_ALTSVC, file);
  snprintf(path, sizeof(path),
           "/alt-svc?v=h3%%3D%%22%%3A443%%22%%2C%%20bogus%%3D%%22%%3A1%%22%%2C"
           "%%20h1%%3D%%22localhost%%3A%s%%22%%3B%%20ma%%3D60%%3B%%20x%%3Dy",
           port_b);
  transfer(easy, tls_base, path);
  transfer(easy, tls_base, "/bytes/3");
  curl_easy_cleanup(easy);
  print_file(file);

  curl_global_cleanup();
  return 0;
}
