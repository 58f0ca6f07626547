/*
 * What a transfer that runs out of time says: CURLOPT_TIMEOUT_MS on a
 * server that never answers, one that stops in the middle of a body of
 * known length, one whose chunked body never ends, and
 * CURLOPT_LOW_SPEED_LIMIT/TIME on a server that sends nothing. Prints each
 * result and error text with the milliseconds replaced by N (the time
 * taken is not what is compared). Built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/timeouts.rs).
 *
 * usage: timeouts SILENT-URL STALLED-URL CHUNKED-URL UNACCEPTED-URL
 *   UNACCEPTED-URL: a listener whose accept queue is full, so that a
 *   connect to it never completes.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

/* The error text with the number after "after " as N. */
static void print_timeless(const char *error)
{
  const char *after = strstr(error, "after ");
  if(!after) {
    printf("  error: %s\n", error);
    return;
  }
  printf("  error: %.*sN", (int)(after + 6 - error), error);
  after += 6;
  while(*after >= '0' && *after <= '9')
    after++;
  printf("%s\n", after);
}

static void run(const char *title, const char *url, long timeout_ms,
                long connect_ms, long low_limit, long low_time)
{
  CURL *easy = curl_easy_init();
  char error[CURL_ERROR_SIZE] = "";
  CURLcode result;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  if(timeout_ms)
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  else
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(connect_ms)
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  if(low_limit) {
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, low_limit);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, low_time);
  }
  printf("%s\n", title);
  fflush(stdout);
  result = curl_easy_perform(easy);
  printf("  result %d\n", (int)result);
  print_timeless(error);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  if(argc != 5) {
    fprintf(stderr, "usage: timeouts SILENT-URL STALLED-URL CHUNKED-URL "
            "UNACCEPTED-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  /* A second: time enough to connect and send however loaded the machine
     is, so that the timeout finds the transfer waiting for the answer. */
  run("never answers", argv[1], 1000, 0, 0, 0);
  run("stops in a body of known length", argv[2], 1000, 0, 0, 0);
  run("chunked body never ends", argv[3], 1000, 0, 0, 0);
  run("too slow", argv[1], 0, 0, 1000, 1);
  run("connect never completes", argv[4], 0, 300, 0, 0);
  run("connect never completes, total timeout", argv[4], 300, 0, 0, 0);
  curl_global_cleanup();
  return 0;
}
