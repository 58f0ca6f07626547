/*
 * HSTS (CURLOPT_HSTS_CTRL, CURLOPT_HSTS): a host that answered over HTTPS
 * with Strict-Transport-Security is reached over HTTPS when asked for
 * over HTTP (its subdomains too with includeSubDomains), the cache file
 * is read when set and written at cleanup (not with READONLYFILE), and a
 * header over plain HTTP teaches nothing. Prints each transfer's result
 * and effective URL (ports as PORT), and the cache file after each case
 * (dates a year ahead as DATE). Built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/hsts.rs).
 *
 * usage: hsts TLS-PORT HTTP-PORT CA-FILE DIR
 *   TLS-PORT serves sts.test, a.sts.test and x.pre.test (all resolved to
 *   127.0.0.1); HTTP-PORT is a plain server; DIR is for the cache files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "named_text.h"

static const char *tls_port, *http_port, *ca;

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

/* Prints `text` with the ports as TLSPORT and HTTPPORT. */
static void print_portless(const char *text)
{
  const struct named names[] = {{tls_port, "TLSPORT"}, {http_port, "HTTPPORT"}};
  print_named(text, strlen(text), names, 2);
}

static void transfer(CURL *easy, const char *url)
{
  char *effective = NULL;
  CURLcode result;
  struct curl_slist *resolve = NULL;
  char entry[128];
  const char *names[] = {"sts.test", "a.sts.test", "x.pre.test", "plain.test"};
  size_t i;
  for(i = 0; i < 4; i++) {
    snprintf(entry, sizeof(entry), "%s:%s:127.0.0.1", names[i],
             i == 3 ? http_port : tls_port);
    resolve = curl_slist_append(resolve, entry);
  }
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
  printf("  %d ", (int)result);
  print_portless(effective ? effective : "(null)");
  printf("\n");
  curl_slist_free_all(resolve);
}

/* Prints the cache file, a date within a day of a year from now as DATE. */
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
    if(quote && strncmp(quote + 1, "2099", 4) && strncmp(quote + 1, "unl", 3)) {
      time_t t = read_quoted_date(quote), year = time(NULL) + 365 * 24 * 3600;
      if(t > year - 86400 && t < year + 86400)
        strcpy(quote, "\"DATE\"\n");
    }
    printf("  file: %s", line);
  }
  fclose(f);
}

int main(int argc, char **argv)
{
  char file[512], url[256];
  CURL *easy;
  FILE *f;
  if(argc != 5) {
    fprintf(stderr, "usage: hsts TLS-PORT HTTP-PORT CA-FILE DIR\n");
    return 2;
  }
  tls_port = argv[1];
  http_port = argv[2];
  ca = argv[3];
  curl_global_init(CURL_GLOBAL_DEFAULT);

  printf("learnt over HTTPS, used over HTTP, saved\n");
  snprintf(file, sizeof(file), "%s/learnt.txt", argv[4]);
  easy = curl_easy_init();
  printf("  ctrl %d, file %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_HSTS_CTRL, CURLHSTS_ENABLE),
         (int)curl_easy_setopt(easy, CURLOPT_HSTS, file));
  snprintf(url, sizeof(url), "https://sts.test:%s/sts?v=max-age%%3D31536000%%3B%%20includeSubDomains", tls_port);
  transfer(easy, url);
  snprintf(url, sizeof(url), "http://sts.test:%s/bytes/3", tls_port);
  transfer(easy, url);
  snprintf(url, sizeof(url), "http://a.sts.test:%s/bytes/3", tls_port);
  transfer(easy, url);
  snprintf(url, sizeof(url), "http://plain.test:%s/sts?v=max-age%%3D100", http_port);
  transfer(easy, url);
  snprintf(url, sizeof(url), "http://plain.test:%s/bytes/3", http_port);
  transfer(easy, url);
  curl_easy_cleanup(easy);
  print_file(file);

  printf("read from the file\n");
  snprintf(file, sizeof(file), "%s/preloaded.txt", argv[4]);
  f = fopen(file, "w");
  fputs("# a comment\n.pre.test \"20991231 23:59:59\"\n"
        "old.test \"20000101 00:00:00\"\nsts.test \"unlimited\"\n"
        "not a line\n", f);
  fclose(f);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_HSTS_CTRL, CURLHSTS_ENABLE);
  curl_easy_setopt(easy, CURLOPT_HSTS, file);
  snprintf(url, sizeof(url), "http://x.pre.test:%s/bytes/3", tls_port);
  transfer(easy, url);
  curl_easy_cleanup(easy);
  print_file(file);

  printf("read only\n");
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_HSTS_CTRL,
                   CURLHSTS_ENABLE | CURLHSTS_READONLYFILE);
  curl_easy_setopt(easy, CURLOPT_HSTS, file);
  snprintf(url, sizeof(url), "https://sts.test:%s/sts?v=max-age%%3D0", tls_port);
  transfer(easy, url);
  snprintf(url, sizeof(url), "http://x.pre.test:%s/bytes/3", tls_port);
  transfer(easy, url);
  curl_easy_cleanup(easy);
  print_file(file);

  printf("a file but no ctrl\n");
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_HSTS, file);
  snprintf(url, sizeof(url), "http://x.pre.test:%s/bytes/3", tls_port);
  transfer(easy, url);
  curl_easy_cleanup(easy);

  /* Not compared: turning HSTS_CTRL off after HSTS named a file crashes
     Debian's libcurl 7.88.1 in its next perform (the file list outlives
     the cache it is loaded into); Starling drops both. */
  curl_global_cleanup();
  return 0;
}
