/*
 * curl_easy_upkeep on a handle whose curl_easy_perform left an HTTP/2
 * connection (prior knowledge) in its cache: CURLOPT_UPKEEP_INTERVAL_MS's
 * setopt answers, then an upkeep before the interval and one after it.
 * What goes on the wire (a PING or not) is read from the server's log by
 * tests/upkeep.rs; this prints the calls' results.
 *
 * usage: upkeep URL
 */
#include <stdio.h>
#include <unistd.h>

#include <curl/curl.h>

static size_t discard(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

int main(int argc, char **argv)
{
  CURL *easy;
  if(argc != 2) {
    fprintf(stderr, "usage: upkeep URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  printf("upkeep before any transfer %d\n", (int)curl_easy_upkeep(easy));
  printf("interval -1: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_UPKEEP_INTERVAL_MS, -1L));
  printf("interval 0: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_UPKEEP_INTERVAL_MS, 0L));
  printf("interval 1000: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_UPKEEP_INTERVAL_MS, 1000L));
  curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                   (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  printf("perform %d\n", (int)curl_easy_perform(easy));
  printf("upkeep within the interval %d\n", (int)curl_easy_upkeep(easy));
  usleep(1500 * 1000);
  printf("upkeep after it %d\n", (int)curl_easy_upkeep(easy));
  /* Time for the frame to reach the server's log. */
  usleep(200 * 1000);
  printf("upkeep NULL %d\n", (int)curl_easy_upkeep(NULL));
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
