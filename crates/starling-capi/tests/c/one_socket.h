/*
 * A multi_socket loop for programs with one transfer, hence one socket, at
 * a time: the socket callback keeps the socket and what it is watched for
 * (one_socket_watch), the timer callback the one deadline
 * (one_socket_timer), and one_socket_run polls both until the transfer
 * is done, as an application's loop would.
 */
#ifndef ONE_SOCKET_H
#define ONE_SOCKET_H

#include <poll.h>

#include <curl/curl.h>

static curl_socket_t watched = CURL_SOCKET_BAD;
static short events;
static long timer_ms = -1;

/* Keeps what the socket callback said of the socket. */
static void one_socket_watch(curl_socket_t s, int what)
{
  watched = what == CURL_POLL_REMOVE ? CURL_SOCKET_BAD : s;
  events = (short)((what & CURL_POLL_IN ? POLLIN : 0) |
                   (what & CURL_POLL_OUT ? POLLOUT : 0));
}

static int one_socket_timer(CURLM *multi, long ms, void *userp)
{
  (void)multi;
  (void)userp;
  timer_ms = ms;
  return 0;
}

/* Drives `multi` until nothing runs: the socket when it is ready, the
   timer when it is due. */
static void one_socket_run(CURLM *multi, int *running)
{
  while(*running) {
    struct pollfd p = {watched, events, 0};
    int n = poll(&p, watched == CURL_SOCKET_BAD ? 0 : 1,
                 timer_ms < 0 ? 1000 : (int)timer_ms);
    if(n > 0) {
      int ev = (p.revents & POLLIN ? CURL_CSELECT_IN : 0) |
               (p.revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
               (p.revents & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(multi, p.fd, ev, running);
    }
    else {
      timer_ms = -1;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, running);
    }
  }
}

#endif
