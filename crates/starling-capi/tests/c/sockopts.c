/*
 * The socket options a transfer's socket gets from CURLOPT_TCP_NODELAY,
 * CURLOPT_TCP_KEEPALIVE, CURLOPT_TCP_KEEPIDLE and CURLOPT_TCP_KEEPINTVL,
 * read with getsockopt() on the socket the socket callback announces.
 * Built against Debian's libcurl and against Starling, the outputs must be
 * the same (tests/sockopts.rs).
 *
 * usage: sockopts URL
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "one_socket.h"

static int seen;

static int opt(curl_socket_t s, int level, int name)
{
  int v = -1;
  socklen_t len = sizeof(v);
  if(getsockopt(s, level, name, &v, &len))
    return -1;
  return v;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  (void)easy;
  (void)userp;
  (void)socketp;
  one_socket_watch(s, what);
  if(what != CURL_POLL_REMOVE && !seen) {
    seen = 1;
    printf("nodelay %d keepalive %d", opt(s, IPPROTO_TCP, TCP_NODELAY) != 0,
           opt(s, SOL_SOCKET, SO_KEEPALIVE) != 0);
    if(opt(s, SOL_SOCKET, SO_KEEPALIVE))
      printf(" idle %d interval %d", opt(s, IPPROTO_TCP, TCP_KEEPIDLE),
             opt(s, IPPROTO_TCP, TCP_KEEPINTVL));
    printf("\n");
  }
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
  (void)p;
  (void)userdata;
  return size * n;
}

/* One transfer with these options (-1: not set). */
static void run(const char *url, long nodelay, long keepalive, long idle,
                long interval)
{
  CURLM *multi = curl_multi_init();
  CURL *easy = curl_easy_init();
  int running = 1;
  seen = 0;
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, one_socket_timer);
  watched = CURL_SOCKET_BAD;
  timer_ms = -1;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(nodelay >= 0)
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, nodelay);
  if(keepalive >= 0)
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, keepalive);
  if(idle >= 0)
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, idle);
  if(interval >= 0)
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, interval);
  printf("set nodelay %ld keepalive %ld idle %ld interval %ld: ", nodelay,
         keepalive, idle, interval);
  curl_multi_add_handle(multi, easy);
  one_socket_run(multi, &running);
  if(!seen)
    printf("no socket seen\n");
  printf("negative idle: %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, -1L));
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
}

int main(int argc, char **argv)
{
  if(argc != 2) {
    fprintf(stderr, "usage: sockopts URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run(argv[1], -1, -1, -1, -1);
  run(argv[1], 0, -1, -1, -1);
  run(argv[1], -1, 1, -1, -1);
  run(argv[1], -1, 1, 7, 3);
  run(argv[1], 1, 0, 7, 3);
  curl_global_cleanup();
  return 0;
}
