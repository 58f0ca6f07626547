/*
 * CURLOPT_CONNECT_ONLY with curl_easy_send and curl_easy_recv: a transfer
 * that only connects (and does the TLS handshake), then raw bytes on its
 * connection: what each call answers before, during and after, which
 * socket callbacks a multi_socket application sees, when the connection
 * is let go (another perform, the handle leaving its multi handle), and
 * what the calls answer on a handle without such a connection.
 * Built against Debian's libcurl and against Starling, the outputs must
 * be the same (tests/connect_only.rs).
 *
 * usage: connect_only HTTP-BASE HTTPS-BASE CA-FILE REFUSED-BASE
 *        (http://127.0.0.1:PORT https://localhost:PORT ca.pem
 *         http://127.0.0.1:CLOSED-PORT)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "one_socket.h"

static char error[CURL_ERROR_SIZE];
static int prereqs;

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  static const char *names[] = {"NONE", "IN", "OUT", "INOUT", "REMOVE"};
  (void)easy;
  (void)userp;
  (void)socketp;
  printf("  socket callback: %s\n", names[what]);
  one_socket_watch(s, what);
  return 0;
}

static curl_socket_t socket_of(CURL *easy)
{
  curl_socket_t s = CURL_SOCKET_BAD;
  curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &s);
  return s;
}

/* Waits (bounded) until the socket is readable. */
static void wait_readable(curl_socket_t s)
{
  struct pollfd p = {s, POLLIN, 0};
  poll(&p, 1, 5000);
}

/* The request for /bytes/5, sent whole; then the response read until the
   server closes: its status line and its last line. */
static void exchange(CURL *easy, const char *host)
{
  char request[256], response[4096];
  size_t sent = 12345, got = 12345, total = 0;
  CURLcode rc;
  curl_socket_t s = socket_of(easy);
  int reads = 0;
  printf("  socket: %s\n", s == CURL_SOCKET_BAD ? "none" : "open");
  rc = curl_easy_recv(easy, response, sizeof(response), &got);
  printf("  recv before sending: %d (%s)\n", (int)rc,
         got == 0 ? "0 bytes" : "bytes?");
  snprintf(request, sizeof(request),
           "GET /bytes/5 HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
           host);
  rc = curl_easy_send(easy, request, strlen(request), &sent);
  printf("  send: %d, %s\n", (int)rc,
         sent == strlen(request) ? "all sent" : "not all sent");
  while(total < sizeof(response) - 1 && reads < 100) {
    reads++;
    wait_readable(s);
    rc = curl_easy_recv(easy, response + total, sizeof(response) - 1 - total,
                        &got);
    if(rc == CURLE_AGAIN)
      continue;
    if(rc != CURLE_OK) {
      printf("  recv: %d\n", (int)rc);
      break;
    }
    if(got == 0) {
      printf("  recv at the close: 0 bytes\n");
      break;
    }
    total += got;
  }
  response[total] = 0;
  printf("  status line: %.*s\n", (int)strcspn(response, "\r"), response);
  printf("  body: %d bytes\n",
         strstr(response, "\r\n\r\n")
           ? (int)(total - (size_t)(strstr(response, "\r\n\r\n") + 4 - response))
           : -1);
  rc = curl_easy_recv(easy, response, sizeof(response), &got);
  printf("  recv after the close: %d, %d bytes\n", (int)rc, (int)got);
}

static void results(CURL *easy, CURLcode rc)
{
  long code = -1, connects = -1;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  printf("  result %d, code %ld, new connections %ld, prereq calls %d\n",
         (int)rc, code, connects, prereqs);
  prereqs = 0;
  if(rc)
    printf("  error: %s\n", error);
}

/* What send and recv answer on a handle with no connection of its own. */
static void refused_calls(CURL *easy, const char *when)
{
  char buf[16];
  size_t n = 777;
  CURLcode rc;
  error[0] = 0;
  rc = curl_easy_send(easy, "x", 1, &n);
  printf("  %s: send %d (%s), n %s", when, (int)rc, error,
         n == 777 ? "untouched" : n == 0 ? "0" : "changed");
  n = 777;
  error[0] = 0;
  rc = curl_easy_recv(easy, buf, sizeof(buf), &n);
  printf(", recv %d (%s), n %s\n", (int)rc, error,
         n == 777 ? "untouched" : n == 0 ? "0" : "changed");
}

static int on_prereq(void *userp, char *primary_ip, char *local_ip,
                     int primary_port, int local_port)
{
  (void)userp;
  (void)primary_ip;
  (void)local_ip;
  (void)primary_port;
  (void)local_port;
  prereqs++;
  return CURL_PREREQFUNC_OK;
}

static CURL *handle(const char *url, long connect_only)
{
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, connect_only);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_prereq);
  return easy;
}

int main(int argc, char **argv)
{
  CURL *easy;
  CURLM *multi;
  CURLMsg *msg;
  int running = 0, left;
  char url[512];
  if(argc != 5) {
    fprintf(stderr, "usage: connect_only HTTP-BASE HTTPS-BASE CA REFUSED\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  printf("perform, connect only\n");
  snprintf(url, sizeof(url), "%s/bytes/5", argv[1]);
  easy = handle(url, 1L);
  refused_calls(easy, "before any perform");
  results(easy, curl_easy_perform(easy));
  exchange(easy, "127.0.0.1");

  printf("again on the same handle\n");
  results(easy, curl_easy_perform(easy));
  exchange(easy, "127.0.0.1");

  printf("the same handle, a whole transfer\n");
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 0L);
  results(easy, curl_easy_perform(easy));
  refused_calls(easy, "after it");

  printf("connect only after a whole transfer\n");
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);
  results(easy, curl_easy_perform(easy));
  exchange(easy, "127.0.0.1");

  printf("CONNECT_ONLY values: 2 %d, 3 %d, -1 %d\n",
         (int)curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 2L),
         (int)curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 3L),
         (int)curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, -1L));
  printf("CONNECT_ONLY 2 on http\n");
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 2L);
  results(easy, curl_easy_perform(easy));
  refused_calls(easy, "after it");
  curl_easy_cleanup(easy);

  printf("over TLS\n");
  snprintf(url, sizeof(url), "%s/bytes/5", argv[2]);
  easy = handle(url, 1L);
  curl_easy_setopt(easy, CURLOPT_CAINFO, argv[3]);
  results(easy, curl_easy_perform(easy));
  exchange(easy, "localhost");
  curl_easy_cleanup(easy);

  printf("a refused connect\n");
  easy = handle(argv[4], 1L);
  results(easy, curl_easy_perform(easy));
  refused_calls(easy, "after it");
  curl_easy_cleanup(easy);

  printf("in a multi handle\n");
  snprintf(url, sizeof(url), "%s/bytes/5", argv[1]);
  easy = handle(url, 1L);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, one_socket_timer);
  curl_multi_add_handle(multi, easy);
  curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  one_socket_run(multi, &running);
  while((msg = curl_multi_info_read(multi, &left)))
    if(msg->msg == CURLMSG_DONE)
      results(msg->easy_handle, msg->data.result);
  printf("  running %d, watched %s\n", running,
         watched == CURL_SOCKET_BAD ? "nothing" : "a socket");
  exchange(easy, "127.0.0.1");
  printf("  removed\n");
  curl_multi_remove_handle(multi, easy);
  refused_calls(easy, "after the removal");
  curl_multi_cleanup(multi);
  curl_easy_cleanup(easy);

  curl_global_cleanup();
  return 0;
}
