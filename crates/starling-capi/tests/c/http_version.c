/*
 * CURLOPT_HTTP_VERSION as libcurl answers it: what each value's setopt
 * returns, and a transfer with prior knowledge against an HTTP/2 server
 * (and with 1.1 against an HTTP/1.1 one): its result, status, the
 * CURLINFO_HTTP_VERSION it reports and its body's length.
 *
 * usage: http_version H2C-URL H1-URL
 */
#include <stdio.h>

#include <curl/curl.h>

static size_t count(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  *(size_t *)userdata += size * nmemb;
  return size * nmemb;
}

static void fetch(const char *url, long version)
{
  CURL *h = curl_easy_init();
  size_t got = 0;
  long code = 0, used = -1;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, version);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &used);
  printf("version %ld: result %d, status %ld, http version %ld, %zu bytes\n",
         version, (int)rc, code, used, got);
  curl_easy_cleanup(h);
}

int main(int argc, char **argv)
{
  if(argc != 3) {
    fprintf(stderr, "usage: http_version H2C-URL H1-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  long values[] = {-1, 0, 1, 2, 3, 4, 5, 6, 30, 31, 100};
  CURL *h = curl_easy_init();
  for(size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    printf("setopt %ld: %d\n", values[i],
           (int)curl_easy_setopt(h, CURLOPT_HTTP_VERSION, values[i]));
  curl_easy_cleanup(h);
  fetch(argv[1], CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  fetch(argv[2], CURL_HTTP_VERSION_1_1);
  fetch(argv[2], CURL_HTTP_VERSION_NONE);
  curl_global_cleanup();
  return 0;
}
