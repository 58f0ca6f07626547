/*
 * Conditional requests (CURLOPT_TIMECONDITION with CURLOPT_TIMEVALUE and
 * CURLOPT_TIMEVALUE_LARGE): the request head each condition makes, and
 * what a transfer gives when the server answers 304, or answers 200 with a
 * document older or newer than the time, or with no date: the result,
 * response code, CURLINFO_CONDITION_UNMET, the body bytes delivered and
 * CURLINFO_FILETIME. Built against Debian's libcurl and against Starling,
 * the outputs must be the same (tests/timecond.rs).
 *
 * usage: timecond URL-304 URL-OLD URL-NEW URL-UNDATED
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static size_t body_bytes;

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  body_bytes += size * n;
  return size * n;
}

/* The request head as sent, but for Host (its port changes every run). */
static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  const char *line = data, *end = data + size;
  (void)easy;
  (void)userp;
  if(type != CURLINFO_HEADER_OUT)
    return 0;
  while(line < end) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    size_t len = nl ? (size_t)(nl - line + 1) : (size_t)(end - line);
    if(strncmp(line, "Host:", 5) && len > 2)
      printf("  > %.*s", (int)len, line);
    line += len;
  }
  return 0;
}

static void transfer(const char *title, const char *url, long condition,
                     long value, curl_off_t large, int use_large)
{
  CURL *easy = curl_easy_init();
  CURLcode result, set1, set2;
  long code = -1, unmet = -1, filetime = -2;
  body_bytes = 0;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_FILETIME, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  set1 = curl_easy_setopt(easy, CURLOPT_TIMECONDITION, condition);
  set2 = use_large ? curl_easy_setopt(easy, CURLOPT_TIMEVALUE_LARGE, large) :
                     curl_easy_setopt(easy, CURLOPT_TIMEVALUE, value);
  printf("%s: setopt %d %d\n", title, (int)set1, (int)set2);
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_CONDITION_UNMET, &unmet);
  curl_easy_getinfo(easy, CURLINFO_FILETIME, &filetime);
  printf("  result %d, code %ld, unmet %ld, body %lu, filetime %ld\n",
         (int)result, code, unmet, (unsigned long)body_bytes, filetime);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  /* Sun, 06 Nov 1994 08:49:37 GMT, the servers' "old" date is a day
     before it and their "new" one a day after. */
  const long when = 784111777L;
  static const char *names[] = {"304", "old", "new", "undated"};
  static const long conditions[] = {0, 1, 2, 3};
  size_t i, j;
  char title[96];
  if(argc != 5) {
    fprintf(stderr, "usage: timecond URL-304 URL-OLD URL-NEW URL-UNDATED\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for(i = 0; i < 4; i++)
    for(j = 0; j < sizeof(conditions) / sizeof(conditions[0]); j++) {
      snprintf(title, sizeof(title), "%s, condition %ld", names[i],
               conditions[j]);
      transfer(title, argv[1 + i], conditions[j], when, 0, 0);
    }
  transfer("old, condition 1, large", argv[2], 1, 0, (curl_off_t)when, 1);
  transfer("new, condition 2, large", argv[3], 2, 0, (curl_off_t)when, 1);
  transfer("old, condition 1, time 0", argv[2], 1, 0, 0, 0);
  transfer("old, condition 1, time -1", argv[2], 1, -1, 0, 0);
  transfer("old, condition 4", argv[2], 4, when, 0, 0);
  transfer("old, condition -1", argv[2], -1, when, 0, 0);
  curl_global_cleanup();
  return 0;
}
