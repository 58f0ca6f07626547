/*
 * The multi_socket API on libevent 2, in the style of libcurl's
 * hiperfifo.c: event_base_dispatch returns when no event is pending. See
 * hiper_common.h for what it does.
 */
#include "hiper_common.h"

#include <event2/event.h>

struct global {
  struct event_base *base;
  struct event *timer;
  struct event *input;
  CURLM *multi;
  int still_running;
  int own_running;
  struct hiper_lines in;
};

struct sock {
  struct event *ev;
};

static void after_action(struct global *g)
{
  hiper_check_multi_info(g->multi);
  if(g->still_running < g->own_running) {
    g->own_running = g->still_running;
    if(g->own_running == 0 && evtimer_pending(g->timer, NULL))
      evtimer_del(g->timer); /* nothing of ours runs: cancel the timer */
  }
}

static void timer_cb(evutil_socket_t fd, short kind, void *userp)
{
  struct global *g = (struct global *)userp;
  (void)fd;
  (void)kind;
  curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                           &g->still_running);
  after_action(g);
}

static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct global *g = (struct global *)userp;
  struct timeval tv;
  (void)multi;
  if(timeout_ms < 0) {
    evtimer_del(g->timer);
    return 0;
  }
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  evtimer_add(g->timer, &tv);
  return 0;
}

static void event_cb(evutil_socket_t fd, short kind, void *userp)
{
  struct global *g = (struct global *)userp;
  curl_multi_socket_action(g->multi, fd,
                           hiper_cselect(kind & EV_READ, kind & EV_WRITE),
                           &g->still_running);
  after_action(g);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  struct global *g = (struct global *)cbp;
  struct sock *f = (struct sock *)sockp;
  short kind;
  (void)e;
  if(what == CURL_POLL_REMOVE) {
    if(f) {
      event_free(f->ev);
      free(f);
    }
    return 0;
  }
  kind = (short)((what & CURL_POLL_IN ? EV_READ : 0) |
                 (what & CURL_POLL_OUT ? EV_WRITE : 0) | EV_PERSIST);
  if(!f) {
    f = (struct sock *)calloc(1, sizeof(*f));
    if(!f)
      return -1;
    curl_multi_assign(g->multi, s, f);
  }
  else {
    event_del(f->ev);
    event_free(f->ev);
  }
  f->ev = event_new(g->base, s, kind, event_cb, g);
  event_add(f->ev, NULL);
  return 0;
}

static void input_cb(evutil_socket_t fd, short kind, void *userp)
{
  struct global *g = (struct global *)userp;
  (void)fd;
  (void)kind;
  if(!hiper_read_stdin(&g->in, g->multi, &g->own_running))
    event_del(g->input);
}

int main(int argc, char **argv)
{
  struct global g;
  int i;
  memset(&g, 0, sizeof(g));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g.base = event_base_new();
  g.multi = curl_multi_init();
  g.timer = evtimer_new(g.base, timer_cb, &g);
  g.input = event_new(g.base, STDIN_FILENO, EV_READ | EV_PERSIST, input_cb, &g);
  event_add(g.input, NULL);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);
  for(i = 1; i < argc; i++)
    hiper_add(g.multi, argv[i], &g.own_running);
  event_base_dispatch(g.base);
  curl_multi_cleanup(g.multi);
  event_free(g.input);
  event_free(g.timer);
  event_base_free(g.base);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
