/*
 * Trailers of a chunked body: libcurl gives each trailer line to the
 * header callback after the body, and keeps them for the header API as
 * CURLH_TRAILER fields. Built against Debian's libcurl and against
 * Starling, the outputs must be the same (tests/trailers.rs).
 *
 * usage: trailers URL
 */
#include <stdio.h>

#include <curl/curl.h>

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  size_t len = size * n;
  (void)userp;
  printf("header [%.*s]\n", (int)(len >= 2 ? len - 2 : len), line);
  return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  (void)userp;
  printf("body [%.*s]\n", (int)(size * n), data);
  return size * n;
}

int main(int argc, char **argv)
{
  struct curl_header *h = NULL, *prev = NULL;
  CURLHcode hc;
  CURL *easy;
  if(argc != 2) {
    fprintf(stderr, "usage: trailers URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  printf("result %d\n", (int)curl_easy_perform(easy));
  hc = curl_easy_header(easy, "x-sum", 0, CURLH_TRAILER, -1, &h);
  printf("X-Sum as a trailer: %d [%s]\n", (int)hc, hc ? "-" : h->value);
  hc = curl_easy_header(easy, "X-Sum", 0, CURLH_HEADER, -1, &h);
  printf("X-Sum as a header: %d\n", (int)hc);
  while((prev = curl_easy_nextheader(easy, CURLH_TRAILER, -1, prev)))
    printf("trailer %s [%s] origin %x\n", prev->name, prev->value,
           prev->origin & 0xff);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
