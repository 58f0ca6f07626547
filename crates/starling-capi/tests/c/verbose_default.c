/*
 * CURLOPT_VERBOSE without a debug function: the trace libcurl prints
 * itself, into CURLOPT_STDERR (here standard output), for a GET, a POST
 * and a redirect followed. Built against Debian's libcurl and against
 * Starling, the outputs must be the same byte for byte, but for the
 * server's Date (tests/verbose_default.rs).
 *
 * usage: verbose_default BASE-URL (http://127.0.0.1:PORT)
 */
#include <stdio.h>

#include <curl/curl.h>

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static void run(CURL *easy, const char *base, const char *path, int post)
{
  char url[512];
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_STDERR, stdout);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  if(post)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "a=1");
  else
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_perform(easy);
  fflush(stdout);
}

int main(int argc, char **argv)
{
  CURL *easy;
  if(argc != 2) {
    fprintf(stderr, "usage: verbose_default BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  run(easy, argv[1], "/bytes/5", 0);
  run(easy, argv[1], "/inspect", 1);
  run(easy, argv[1], "/redirect/302?to=%2Fbytes%2F3", 0);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
