/*
 * The select() loop of libcurl's older examples: curl_multi_perform, then
 * curl_multi_fdset, curl_multi_timeout and select() until nothing runs.
 * Fetches every URL given (arguments in pairs: URL and the body size it
 * must have), then checks each transfer's result, status and size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define MAX_TRANSFERS 200

struct transfer {
  CURL *easy;
  size_t bytes;
  size_t expected;
};

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  ((struct transfer *)userdata)->bytes += size * nmemb;
  return size * nmemb;
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
  struct transfer ts[MAX_TRANSFERS];
  int n = (argc - 1) / 2, i, running = 0, failed = 0, done = 0, left, maxfd;
  double deadline = now_ms() + 20000;
  CURLM *multi;
  CURLMsg *msg;
  fd_set r, w, e;
  if(n < 1 || n > MAX_TRANSFERS || argc % 2 != 1) {
    fprintf(stderr, "usage: select_client URL SIZE [URL SIZE ...]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi = curl_multi_init();
  for(i = 0; i < n; i++) {
    ts[i].easy = curl_easy_init();
    ts[i].bytes = 0;
    ts[i].expected = (size_t)strtoul(argv[2 + 2 * i], NULL, 10);
    curl_easy_setopt(ts[i].easy, CURLOPT_URL, argv[1 + 2 * i]);
    curl_easy_setopt(ts[i].easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(ts[i].easy, CURLOPT_WRITEDATA, &ts[i]);
    curl_easy_setopt(ts[i].easy, CURLOPT_PRIVATE, &ts[i]);
    curl_multi_add_handle(multi, ts[i].easy);
  }
  curl_multi_perform(multi, &running);
  while(running) {
    struct timeval tv;
    long timeout = -1;
    if(now_ms() > deadline) {
      fprintf(stderr, "FAIL: still %d running after 20 s\n", running);
      return 1;
    }
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    maxfd = -1;
    curl_multi_timeout(multi, &timeout);
    if(timeout < 0 || timeout > 1000)
      timeout = 1000;
    if(curl_multi_fdset(multi, &r, &w, &e, &maxfd) != CURLM_OK) {
      fprintf(stderr, "FAIL: curl_multi_fdset\n");
      return 1;
    }
    tv.tv_sec = timeout / 1000;
    tv.tv_usec = (timeout % 1000) * 1000;
    if(maxfd == -1) {
      /* Nothing to wait on yet: libcurl's advice is a short sleep. */
      usleep(100 * 1000);
    }
    else if(select(maxfd + 1, &r, &w, &e, &tv) < 0) {
      perror("select");
      return 1;
    }
    curl_multi_perform(multi, &running);
  }
  while((msg = curl_multi_info_read(multi, &left))) {
    struct transfer *t;
    long status = 0;
    if(msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    done++;
    if(msg->data.result != CURLE_OK || status != 200 || t->bytes != t->expected) {
      fprintf(stderr, "FAIL: result %d, status %ld, %lu bytes of %lu\n", (int)msg->data.result,
              status, (unsigned long)t->bytes, (unsigned long)t->expected);
      failed++;
    }
  }
  for(i = 0; i < n; i++) {
    curl_multi_remove_handle(multi, ts[i].easy);
    curl_easy_cleanup(ts[i].easy);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  if(done != n || failed) {
    fprintf(stderr, "FAIL: %d of %d done, %d failed\n", done, n, failed);
    return 1;
  }
  printf("ok %d transfers\n", n);
  return 0;
}
