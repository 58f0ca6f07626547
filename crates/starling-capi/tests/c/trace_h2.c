/*
 * The verbose trace of HTTP/2 transfers with prior knowledge, each on a
 * handle (and a connection) of its own: a GET and a POST. Built against
 * Debian's libcurl and against Starling, the two outputs must be the same
 * (tests/trace_h2.rs). Date lines are left out, and the memory address
 * libcurl prints after a stream's id.
 *
 *   trace_h2 BASE-URL     (BASE-URL: an HTTP/2 server, http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "trace_lines.h"

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  (void)userdata;
  return size * nmemb;
}

static void transfer(const char *base, const char *path, const char *post)
{
  char url[512];
  CURL *h = curl_easy_init();
  snprintf(url, sizeof url, "%s%s", base, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  if(post)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
  data_in = data_out = 0;
  CURLcode rc = curl_easy_perform(h);
  printf("= %s: %d, data in %zu, out %zu\n", path, (int)rc, data_in, data_out);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv)
{
  if(argc != 2) {
    fprintf(stderr, "usage: trace_h2 BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  transfer(argv[1], "/bytes/100", NULL);
  transfer(argv[1], "/echo", "a=1");
  curl_global_cleanup();
  return 0;
}
