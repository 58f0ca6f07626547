/*
 * CURLOPT_MAX_RECV_SPEED_LARGE and CURLOPT_MAX_SEND_SPEED_LARGE in a
 * multi_socket loop: what setopt answers, whether the transfer's socket
 * is taken out of the loop (CURL_POLL_REMOVE) while the transfer waits
 * for its average to fall under the limit and watched again after, and
 * whether the transfer took at least half as long as the limit asks. Prints facts, not times, so
 * that the outputs of Debian's libcurl and of Starling can be compared
 * (tests/speed_limits.rs).
 *
 * usage: speed_limits BASE-URL (http://127.0.0.1:PORT)
 * With SPEED_LIMITS_TIMES set, each socket call and each transfer's time
 * go to standard error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "one_socket.h"

static int removed, watched_again;
static int running;
static size_t received;

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  (void)easy;
  (void)userp;
  (void)socketp;
  if(getenv("SPEED_LIMITS_TIMES"))
    fprintf(stderr, "socket %d what %d\n", (int)s, what);
  if(what == CURL_POLL_REMOVE)
    removed = 1;
  else if(removed)
    watched_again++;
  one_socket_watch(s, what);
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  received += size * n;
  return size * n;
}

static double seconds(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void run(const char *title, const char *url, const char *body,
                long body_len, curl_off_t recv_limit, curl_off_t send_limit,
                curl_off_t moved)
{
  CURLM *multi = curl_multi_init();
  CURL *easy = curl_easy_init();
  CURLcode result = CURLE_OK;
  CURLMsg *msg;
  int left;
  double started, took, bound;
  curl_off_t limit = recv_limit ? recv_limit : send_limit;
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, one_socket_timer);
  watched = CURL_SOCKET_BAD;
  timer_ms = -1;
  removed = 0;
  watched_again = 0;
  received = 0;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 30L);
  if(body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, body_len);
  }
  curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, recv_limit);
  curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE, send_limit);
  printf("%s\n", title);
  fflush(stdout);
  started = seconds();
  running = 1;
  curl_multi_add_handle(multi, easy);
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  one_socket_run(multi, &running);
  took = seconds() - started;
  while((msg = curl_multi_info_read(multi, &left)))
    if(msg->msg == CURLMSG_DONE)
      result = msg->data.result;
  /* Half the time the limit asks for: libcurl's average over windows of
     3 s lets a transfer run ahead of it for a while. */
  bound = limit ? (double)moved / (double)limit / 2 : 0;
  if(getenv("SPEED_LIMITS_TIMES"))
    fprintf(stderr, "%s: %.3f s\n", title, took);
  printf("  result %d, received %lu, socket removed and watched again: %s, "
         "took as long as the limit asks: %s\n",
         (int)result, (unsigned long)received,
         watched_again > 0 ? "yes" : "no",
         took >= bound ? "yes" : "no");
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
}

int main(int argc, char **argv)
{
  char url[512];
  static char body[300000];
  CURL *easy;
  if(argc != 2) {
    fprintf(stderr, "usage: speed_limits BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  printf("recv -1: %d, recv 0: %d, send -1: %d, send 0: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE,
                               (curl_off_t)-1),
         (int)curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE,
                               (curl_off_t)0),
         (int)curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE,
                               (curl_off_t)-1),
         (int)curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE,
                               (curl_off_t)0));
  curl_easy_cleanup(easy);
  memset(body, 'b', sizeof(body));
  /* libcurl reads until the socket is drained, up to 100 reads of 16 KiB
     in one call: a limited download shows only when the body is larger
     than what the kernel buffers. */
  snprintf(url, sizeof(url), "%s/bytes/20000000", argv[1]);
  run("no limit", url, NULL, 0, 0, 0, 20000000);
  run("download at 10 MB/s", url, NULL, 0, 10000000, 0, 20000000);
  snprintf(url, sizeof(url), "%s/echo", argv[1]);
  run("upload at 200000 B/s", url, body, (long)sizeof(body), 0, 200000,
      300000);
  curl_global_cleanup();
  return 0;
}
