/*
 * A multi client without sockets of its own, as most libcurl programs are:
 * curl_multi_perform, then curl_multi_poll (or curl_multi_wait with
 * --wait) until something happens. Fetches every URL given on the command
 * line, 20 transfers at a time, and prints "code status bytes url" per
 * transfer. Then checks the waiting itself:
 *   - an extra descriptor that is readable ends the wait at once, with its
 *     revents set and counted in numfds;
 *   - curl_multi_wakeup from another thread ends a curl_multi_poll of ten
 *     seconds (curl_multi_poll only);
 *   - with nothing to do, curl_multi_poll waits its 200 ms (curl_multi_wait
 *     may return at once: libcurl documents that it does when it has no
 *     descriptor to wait on).
 * Exits 0 when every transfer succeeded with status 200 and every check
 * held; prints what failed on stderr.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define IN_FLIGHT 20

struct transfer {
  size_t bytes;
  char *url;
};

static int use_wait;
static int failed;

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void fail(const char *what, int code)
{
  fprintf(stderr, "FAIL: %s (%d)\n", what, code);
  failed++;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct transfer *t = userdata;
  (void)ptr;
  t->bytes += size * nmemb;
  return size * nmemb;
}

static CURL *make(struct transfer *t)
{
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, t->url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
  return easy;
}

/* Waits with curl_multi_poll or curl_multi_wait, as chosen. */
static CURLMcode wait_for(CURLM *multi, struct curl_waitfd *extra,
                          unsigned int n, int timeout_ms, int *numfds)
{
  if(use_wait)
    return curl_multi_wait(multi, extra, n, timeout_ms, numfds);
  return curl_multi_poll(multi, extra, n, timeout_ms, numfds);
}

static void *wake_later(void *multi)
{
  struct timespec ts = {0, 100 * 1000000L};
  CURLMcode mc;
  nanosleep(&ts, NULL);
  mc = curl_multi_wakeup(multi);
  if(mc != CURLM_OK)
    fail("curl_multi_wakeup", (int)mc);
  return NULL;
}

/* The waiting itself, with no transfer left. */
static void check_waiting(CURLM *multi)
{
  int fds[2], numfds = -1;
  struct curl_waitfd extra;
  double t0;
  CURLMcode mc;
  char c = 'x';

  if(pipe(fds) || write(fds[1], &c, 1) != 1) {
    fail("pipe", 0);
    return;
  }
  memset(&extra, 0, sizeof(extra));
  extra.fd = fds[0];
  extra.events = CURL_WAIT_POLLIN;
  t0 = now_ms();
  mc = wait_for(multi, &extra, 1, 5000, &numfds);
  if(mc != CURLM_OK)
    fail("waiting with a readable extra descriptor", (int)mc);
  if(now_ms() - t0 > 2000)
    fail("a readable extra descriptor did not end the wait (ms)",
         (int)(now_ms() - t0));
  if(!(extra.revents & CURL_WAIT_POLLIN))
    fail("revents of the readable extra descriptor", extra.revents);
  if(numfds < 1)
    fail("numfds with a readable extra descriptor", numfds);
  close(fds[0]);
  close(fds[1]);

  if(!use_wait) {
    pthread_t thread;
    if(pthread_create(&thread, NULL, wake_later, multi)) {
      fail("pthread_create", 0);
      return;
    }
    t0 = now_ms();
    mc = curl_multi_poll(multi, NULL, 0, 10000, &numfds);
    if(mc != CURLM_OK)
      fail("curl_multi_poll woken up", (int)mc);
    if(now_ms() - t0 > 5000)
      fail("curl_multi_wakeup did not end curl_multi_poll (ms)",
           (int)(now_ms() - t0));
    pthread_join(thread, NULL);
  }

  t0 = now_ms();
  mc = wait_for(multi, NULL, 0, 200, &numfds);
  if(mc != CURLM_OK)
    fail("an idle wait", (int)mc);
  if((!use_wait && now_ms() - t0 < 150) || now_ms() - t0 > 3000)
    fail("an idle wait of 200 ms lasted (ms)", (int)(now_ms() - t0));
  if(numfds != 0)
    fail("numfds of an idle wait", numfds);
}

int main(int argc, char **argv)
{
  CURLM *multi;
  struct transfer *ts;
  int first = 1, n, next = 0, done = 0, bad = 0, i, running = 0;
  double deadline;
  if(argc > 1 && !strcmp(argv[1], "--wait")) {
    use_wait = 1;
    first = 2;
  }
  n = argc - first;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi = curl_multi_init();
  ts = calloc((size_t)(n > 0 ? n : 1), sizeof(*ts));
  for(i = 0; i < n; i++)
    ts[i].url = argv[first + i];
  for(; next < n && next < IN_FLIGHT; next++)
    curl_multi_add_handle(multi, make(&ts[next]));
  deadline = now_ms() + 30000;
  while(done < n) {
    CURLMsg *msg;
    int left, numfds;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if(mc != CURLM_OK) {
      fail("curl_multi_perform", (int)mc);
      break;
    }
    while((msg = curl_multi_info_read(multi, &left))) {
      struct transfer *t;
      long status = 0;
      if(msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      printf("%d %ld %zu %s\n", (int)msg->data.result, status, t->bytes,
             t->url);
      if(msg->data.result != CURLE_OK || status != 200)
        bad++;
      done++;
      curl_multi_remove_handle(multi, msg->easy_handle);
      curl_easy_cleanup(msg->easy_handle);
      if(next < n) {
        curl_multi_add_handle(multi, make(&ts[next]));
        next++;
      }
    }
    if(done == n)
      break;
    if(now_ms() > deadline) {
      fprintf(stderr, "stalled: %d of %d done, %d running\n", done, n,
              running);
      return 2;
    }
    mc = wait_for(multi, NULL, 0, 1000, &numfds);
    if(mc != CURLM_OK) {
      fail(use_wait ? "curl_multi_wait" : "curl_multi_poll", (int)mc);
      break;
    }
  }
  if(running != 0 && done == n) {
    /* The last perform ran before the last message was read; one more
     * must find nothing running. */
    curl_multi_perform(multi, &running);
    if(running != 0)
      fail("running transfers after all are done", running);
  }
  check_waiting(multi);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  free(ts);
  return bad || failed ? 1 : 0;
}
