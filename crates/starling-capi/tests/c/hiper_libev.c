/*
 * The multi_socket API on libev, in the style of libcurl's evhiperfifo.c:
 * ev_run returns when no watcher is active. See hiper_common.h for what
 * it does.
 */
#include "hiper_common.h"

#include <ev.h>

struct global {
  struct ev_loop *loop;
  struct ev_timer timer;
  struct ev_io input;
  CURLM *multi;
  int still_running;
  int own_running;
  struct hiper_lines in;
};

struct sock {
  struct ev_io io;
  struct global *g;
};

static void after_action(struct global *g)
{
  hiper_check_multi_info(g->multi);
  if(g->still_running < g->own_running) {
    g->own_running = g->still_running;
    if(g->own_running == 0)
      ev_timer_stop(g->loop, &g->timer); /* cancel the timer */
  }
}

static void timer_cb(struct ev_loop *loop, struct ev_timer *w, int revents)
{
  struct global *g = (struct global *)w->data;
  (void)loop;
  (void)revents;
  curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                           &g->still_running);
  after_action(g);
}

static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct global *g = (struct global *)userp;
  (void)multi;
  ev_timer_stop(g->loop, &g->timer);
  if(timeout_ms >= 0) {
    ev_timer_set(&g->timer, (ev_tstamp)timeout_ms / 1000.0, 0.);
    ev_timer_start(g->loop, &g->timer);
  }
  return 0;
}

static void event_cb(struct ev_loop *loop, struct ev_io *w, int revents)
{
  struct sock *f = (struct sock *)w->data;
  struct global *g = f->g;
  (void)loop;
  curl_multi_socket_action(g->multi, w->fd,
                           hiper_cselect(revents & EV_READ,
                                         revents & EV_WRITE),
                           &g->still_running);
  after_action(g);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  struct global *g = (struct global *)cbp;
  struct sock *f = (struct sock *)sockp;
  int kind;
  (void)e;
  if(what == CURL_POLL_REMOVE) {
    if(f) {
      ev_io_stop(g->loop, &f->io);
      free(f);
    }
    return 0;
  }
  kind = (what & CURL_POLL_IN ? EV_READ : 0) |
         (what & CURL_POLL_OUT ? EV_WRITE : 0);
  if(!f) {
    f = (struct sock *)calloc(1, sizeof(*f));
    if(!f)
      return -1;
    f->g = g;
    curl_multi_assign(g->multi, s, f);
  }
  else {
    ev_io_stop(g->loop, &f->io);
  }
  ev_io_init(&f->io, event_cb, s, kind);
  f->io.data = f;
  ev_io_start(g->loop, &f->io);
  return 0;
}

static void input_cb(struct ev_loop *loop, struct ev_io *w, int revents)
{
  struct global *g = (struct global *)w->data;
  (void)revents;
  if(!hiper_read_stdin(&g->in, g->multi, &g->own_running))
    ev_io_stop(loop, w);
}

int main(int argc, char **argv)
{
  struct global g;
  int i;
  memset(&g, 0, sizeof(g));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g.loop = ev_default_loop(0);
  g.multi = curl_multi_init();
  ev_timer_init(&g.timer, timer_cb, 0., 0.);
  g.timer.data = &g;
  ev_io_init(&g.input, input_cb, STDIN_FILENO, EV_READ);
  g.input.data = &g;
  ev_io_start(g.loop, &g.input);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);
  for(i = 1; i < argc; i++)
    hiper_add(g.multi, argv[i], &g.own_running);
  ev_run(g.loop, 0);
  curl_multi_cleanup(g.multi);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
