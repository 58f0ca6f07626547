/*
 * curl_easy_duphandle: a copy keeps the options (URL, callbacks, their
 * data, private pointer) and runs on its own; the original still works.
 * Usage: dup_client URL EXPECTED_BYTES
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

static size_t count(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  *(size_t *)userdata += size * nmemb;
  return size * nmemb;
}

int main(int argc, char **argv)
{
  size_t bytes = 0, expected;
  long status = 0;
  void *priv = NULL;
  CURL *original, *copy;
  if(argc != 3)
    return 2;
  expected = (size_t)strtoul(argv[2], NULL, 10);
  original = curl_easy_init();
  curl_easy_setopt(original, CURLOPT_URL, argv[1]);
  curl_easy_setopt(original, CURLOPT_WRITEFUNCTION, count);
  curl_easy_setopt(original, CURLOPT_WRITEDATA, &bytes);
  curl_easy_setopt(original, CURLOPT_PRIVATE, &bytes);
  copy = curl_easy_duphandle(original);
  if(!copy || curl_easy_duphandle(NULL)) {
    fprintf(stderr, "duphandle failed\n");
    return 1;
  }
  if(curl_easy_perform(copy) != CURLE_OK) {
    fprintf(stderr, "the copy failed\n");
    return 1;
  }
  curl_easy_getinfo(copy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(copy, CURLINFO_PRIVATE, (char **)&priv);
  if(status != 200 || bytes != expected || priv != &bytes) {
    fprintf(stderr, "copy: status %ld, %zu bytes, private %p\n", status,
            bytes, priv);
    return 1;
  }
  bytes = 0;
  if(curl_easy_perform(original) != CURLE_OK || bytes != expected) {
    fprintf(stderr, "the original failed\n");
    return 1;
  }
  curl_easy_cleanup(copy);
  curl_easy_cleanup(original);
  return 0;
}
