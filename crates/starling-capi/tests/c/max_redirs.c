/*
 * A redirect beyond CURLOPT_MAXREDIRS: what the header and write
 * callbacks saw of it, the error, the infos (code, count, URL) and the
 * header API's view of the last request. Built against Debian's libcurl
 * and against Starling, the outputs must be the same
 * (tests/max_redirs.rs).
 *
 * usage: max_redirs BASE-URL
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static size_t on_header(char *line, size_t size, size_t n, void *userp)
{
  (void)userp;
  if(!strncmp(line, "HTTP/", 5) || !strncasecmp(line, "location:", 9))
    printf("  header: %.*s", (int)(size * n), line);
  return size * n;
}

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  (void)userp;
  printf("  body: %.*s", (int)(size * n), data);
  return size * n;
}

static void run(const char *base, long max)
{
  char url[256], error[CURL_ERROR_SIZE] = "";
  char *effective = NULL;
  long code = -1, count = -1;
  struct curl_header *h = NULL;
  CURL *easy = curl_easy_init();
  CURLcode rc;
  CURLHcode hc;
  snprintf(url, sizeof(url), "%s/chain/3", base);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, max);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  printf("MAXREDIRS %ld\n", max);
  rc = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &count);
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
  printf("  result %d (%s), code %ld, redirects %ld, url %s\n", (int)rc,
         error, code, count,
         effective && strstr(effective, "/chain/") ? strstr(effective, "/chain/")
                                                   : "?");
  hc = curl_easy_header(easy, "Location", 0, CURLH_HEADER, -1, &h);
  printf("  last request's Location: %d %s\n", (int)hc,
         hc == CURLHE_OK ? h->value : "-");
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  if(argc != 2) {
    fprintf(stderr, "usage: max_redirs BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run(argv[1], 1);
  run(argv[1], 0);
  run(argv[1], 3);
  curl_global_cleanup();
  return 0;
}
