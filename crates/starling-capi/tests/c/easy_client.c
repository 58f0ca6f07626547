/*
 * curl_easy_perform as simple programs use it: one easy handle, reused for
 * every URL given on the command line, a write callback counting the body
 * bytes, FOLLOWLOCATION on and an ERRORBUFFER. Prints one line per URL:
 *
 *   result status bytes size_download effective_url message
 *
 * where bytes is what the write callback received, size_download is
 * CURLINFO_SIZE_DOWNLOAD_T and message is the ERRORBUFFER's text ("-" when
 * empty). Exits 0 when every call it makes answered as documented (the
 * transfers' own results are the caller's to judge), 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  curl_off_t *bytes = userdata;
  (void)ptr;
  *bytes += (curl_off_t)(size * nmemb);
  return size * nmemb;
}

int main(int argc, char **argv)
{
  CURL *easy;
  char errbuf[CURL_ERROR_SIZE];
  curl_off_t bytes = 0;
  int i, bad = 0;
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "curl_global_init failed\n");
    return 1;
  }
  easy = curl_easy_init();
  if(!easy) {
    fprintf(stderr, "curl_easy_init failed\n");
    return 1;
  }
  if(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
     curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes) != CURLE_OK ||
     curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
     curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
     curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
     curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L) != CURLE_OK) {
    fprintf(stderr, "curl_easy_setopt failed\n");
    return 1;
  }
  for(i = 1; i < argc; i++) {
    CURLcode result;
    long status = -1;
    curl_off_t size = -1;
    char *url = NULL;
    bytes = 0;
    errbuf[0] = 0;
    if(curl_easy_setopt(easy, CURLOPT_URL, argv[i]) != CURLE_OK) {
      fprintf(stderr, "CURLOPT_URL %s refused\n", argv[i]);
      bad++;
      continue;
    }
    result = curl_easy_perform(easy);
    if(curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
       curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &size) != CURLE_OK ||
       curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK ||
       !url) {
      fprintf(stderr, "curl_easy_getinfo failed after %s\n", argv[i]);
      bad++;
      continue;
    }
    if(!curl_easy_strerror(result)) {
      fprintf(stderr, "curl_easy_strerror(%d) is NULL\n", (int)result);
      bad++;
    }
    printf("%d %ld %lld %lld %s %s\n", (int)result, status, (long long)bytes,
           (long long)size, url, errbuf[0] ? errbuf : "-");
  }
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return bad ? 1 : 0;
}
