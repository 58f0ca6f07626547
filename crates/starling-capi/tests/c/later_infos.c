/*
 * Infos libcurl added after 7.88 (8.2 to 8.10): XFER_ID, CONN_ID,
 * QUEUE_TIME_T, USED_PROXY, POSTTRANSFER_TIME_T, EARLYDATA_SENT_T. The
 * headers are 7.88's, so their numbers are written out here, as a program
 * built against newer headers passes them. Debian's 7.88 answers
 * CURLE_UNKNOWN_OPTION to each; Starling answers as libcurl 8.x documents
 * (tests/later_infos.rs).
 *
 * usage: later_infos BASE-URL (http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#define INFO_XFER_ID ((CURLINFO)(CURLINFO_OFF_T + 63))
#define INFO_CONN_ID ((CURLINFO)(CURLINFO_OFF_T + 64))
#define INFO_QUEUE_TIME_T ((CURLINFO)(CURLINFO_OFF_T + 65))
#define INFO_USED_PROXY ((CURLINFO)(CURLINFO_LONG + 66))
#define INFO_POSTTRANSFER_TIME_T ((CURLINFO)(CURLINFO_OFF_T + 67))
#define INFO_EARLYDATA_SENT_T ((CURLINFO)(CURLINFO_OFF_T + 68))

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static curl_off_t off(CURL *easy, CURLINFO info)
{
  curl_off_t v = -777;
  CURLcode rc = curl_easy_getinfo(easy, info, &v);
  return rc ? -1000 - (curl_off_t)rc : v;
}

/* The ids, and the times as facts that hold whatever the machine's speed. */
static void show(const char *title, CURL *easy)
{
  long proxy = -1;
  CURLcode rc = curl_easy_getinfo(easy, INFO_USED_PROXY, &proxy);
  curl_off_t pre = off(easy, CURLINFO_PRETRANSFER_TIME_T);
  curl_off_t post = off(easy, INFO_POSTTRANSFER_TIME_T);
  curl_off_t total = off(easy, CURLINFO_TOTAL_TIME_T);
  curl_off_t queue = off(easy, INFO_QUEUE_TIME_T);
  printf("%s: xfer id %ld, conn id %ld, used proxy %ld (%d), early data %ld\n",
         title, (long)off(easy, INFO_XFER_ID), (long)off(easy, INFO_CONN_ID),
         proxy, (int)rc, (long)off(easy, INFO_EARLYDATA_SENT_T));
  printf("  pretransfer <= posttransfer <= total: %s; queued %s\n",
         pre <= post && post <= total ? "yes" : "no",
         queue < 0 ? "?" : queue >= 150000 ? "150 ms or more" : "less than 150 ms");
}

static void answers_of_libcurl_788(CURL *easy)
{
  CURLINFO infos[] = {INFO_XFER_ID, INFO_CONN_ID, INFO_QUEUE_TIME_T,
                      INFO_USED_PROXY, INFO_POSTTRANSFER_TIME_T,
                      INFO_EARLYDATA_SENT_T};
  size_t i;
  printf("answers:");
  for(i = 0; i < sizeof(infos) / sizeof(infos[0]); i++) {
    curl_off_t v = 0;
    printf(" %d", (int)curl_easy_getinfo(easy, infos[i], &v));
  }
  printf("\n");
}

static CURL *handle(const char *base, const char *path)
{
  char url[512];
  CURL *easy = curl_easy_init();
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  return easy;
}

int main(int argc, char **argv)
{
  CURL *easy, *first, *second;
  CURLM *multi;
  int running = 0;
  if(argc != 2) {
    fprintf(stderr, "usage: later_infos BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = handle(argv[1], "/bytes/5");
  answers_of_libcurl_788(easy);
  show("before any transfer", easy);
  curl_easy_perform(easy);
  show("first perform", easy);
  curl_easy_perform(easy);
  show("second perform", easy);
  /* Its connection closed after it: the next one is number 1, as
     libcurl counts connections up. */
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_perform(easy);
  show("third perform, not kept", easy);
  curl_easy_perform(easy);
  show("fourth perform", easy);
  curl_easy_cleanup(easy);

  /* One connection for two transfers: the second waits for the first,
     which takes 300 ms. */
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 1L);
  first = handle(argv[1], "/delay/300/5");
  second = handle(argv[1], "/bytes/5");
  curl_multi_add_handle(multi, first);
  curl_multi_add_handle(multi, second);
  do {
    int n;
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, NULL, 0, 100, &n);
  } while(running);
  show("multi, first", first);
  show("multi, second", second);
  curl_multi_remove_handle(multi, first);
  curl_multi_remove_handle(multi, second);
  curl_easy_cleanup(first);
  curl_easy_cleanup(second);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
