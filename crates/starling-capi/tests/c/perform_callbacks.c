/*
 * A program that sets socket and timer callbacks but drives the multi
 * handle with curl_multi_perform and curl_multi_poll: libcurl 7.88 calls
 * the timer callback then, never the socket callback (that one belongs to
 * the socket functions). Prints every callback; built against Debian's
 * libcurl and against Starling, the outputs must be the same
 * (tests/perform_callbacks.rs).
 *
 * usage: perform_callbacks URL
 */
#include <stdio.h>

#include <curl/curl.h>

static int sockets;

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
  (void)easy;
  (void)s;
  (void)userp;
  (void)socketp;
  sockets++;
  printf("socket callback: %d\n", what);
  return 0;
}

static int on_timer(CURLM *multi, long ms, void *userp)
{
  (void)multi;
  (void)userp;
  /* The value depends on the clock; whether it is 0, later or none does not. */
  printf("timer callback: %s\n", ms < 0 ? "none" : ms == 0 ? "now" : "later");
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
  (void)p;
  (void)userdata;
  return size * n;
}

int main(int argc, char **argv)
{
  CURLM *multi;
  CURL *easy;
  int running = 1, rounds = 0;
  if(argc != 2) {
    fprintf(stderr, "usage: perform_callbacks URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_multi_add_handle(multi, easy);
  while(running && rounds++ < 1000) {
    curl_multi_perform(multi, &running);
    if(running)
      curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
  printf("done: %d socket callbacks\n", sockets);
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
