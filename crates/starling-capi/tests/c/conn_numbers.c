/*
 * Connection numbers in the verbose trace: libcurl counts a handle's
 * connections up from #0, so a connection opened after one was closed has
 * the next number, not the freed one. Built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/conn_numbers.rs).
 *
 * usage: conn_numbers URL
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* The trace lines that name a connection. */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  (void)easy;
  (void)userp;
  if(type == CURLINFO_TEXT &&
     (memchr(data, '#', size) || !strncmp(data, "Closing connection", 18)))
    printf("%.*s", (int)size, data);
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

int main(int argc, char **argv)
{
  CURL *easy;
  int i;
  if(argc != 2) {
    fprintf(stderr, "usage: conn_numbers URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  /* Kept, reused, closed after use, then a new one twice. */
  for(i = 0; i < 5; i++) {
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, i == 1 ? 1L : 0L);
    curl_easy_perform(easy);
  }
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
