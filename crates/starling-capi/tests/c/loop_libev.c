/*
 * The multi_socket API on libev, in the style of libcurl's evhiperfifo.c:
 * an ev_io watcher per socket, an ev_timer for libcurl's timer and an
 * ev_io on standard input. ev_run returns by itself once no watcher is
 * active. See loop_common.h for what the program does.
 */
#include "loop_common.h"

#include <ev.h>

/* Global information, common to all connections */
struct GlobalInfo {
  struct ev_loop *loop;
  struct ev_io fifo_event;
  struct ev_timer timer_event;
  CURLM *multi;
  int still_running;
  int running; /* our own count of running transfers */
  struct url_lines in;
};

/* Information associated with a specific socket */
struct SockInfo {
  curl_socket_t sockfd;
  CURL *easy;
  int action;
  struct ev_io ev;
  int evset;
  struct GlobalInfo *global;
};

/* After every curl_multi_socket_action: the finished transfers, and no
 * timer once our count of running transfers dropped to zero. */
static void after_action(struct GlobalInfo *g)
{
  check_multi_info(g->multi);
  if(g->running > 0 && g->still_running <= 0)
    ev_timer_stop(g->loop, &g->timer_event); /* last transfer done */
  g->running = g->still_running;
}

/* Called by libev when our timeout expires */
static void timer_cb(EV_P_ struct ev_timer *w, int revents)
{
  struct GlobalInfo *g = (struct GlobalInfo *)w->data;
  CURLMcode rc;
  (void)revents;
#if EV_MULTIPLICITY
  (void)loop;
#endif

  rc = curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                                &g->still_running);
  mcode_or_die("timer_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Update the event timer after curl_multi library calls */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct GlobalInfo *g = (struct GlobalInfo *)userp;
  (void)multi;

  ev_timer_stop(g->loop, &g->timer_event);
  if(timeout_ms >= 0) {
    /* -1 means delete, other values are timeout times in milliseconds;
     * 0 makes it due at once. */
    double t = (double)timeout_ms / 1000.;
    ev_timer_set(&g->timer_event, t, 0.);
    ev_timer_start(g->loop, &g->timer_event);
  }
  return 0;
}

/* Called by libev when we get action on a multi socket */
static void event_cb(EV_P_ struct ev_io *w, int revents)
{
  struct GlobalInfo *g = (struct GlobalInfo *)w->data;
  CURLMcode rc;
  int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
               ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
#if EV_MULTIPLICITY
  (void)loop;
#endif

  rc = curl_multi_socket_action(g->multi, w->fd, action, &g->still_running);
  mcode_or_die("event_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Clean up the SockInfo structure */
static void remsock(struct SockInfo *f, struct GlobalInfo *g)
{
  if(f) {
    if(f->evset)
      ev_io_stop(g->loop, &f->ev);
    free(f);
  }
}

/* Assign information to a SockInfo structure */
static void setsock(struct SockInfo *f, curl_socket_t s, CURL *e, int act,
                    struct GlobalInfo *g)
{
  int kind = ((act & CURL_POLL_IN) ? EV_READ : 0) |
             ((act & CURL_POLL_OUT) ? EV_WRITE : 0);

  f->sockfd = s;
  f->action = act;
  f->easy = e;
  if(f->evset)
    ev_io_stop(g->loop, &f->ev);
  ev_io_init(&f->ev, event_cb, f->sockfd, kind);
  f->ev.data = g;
  f->evset = 1;
  ev_io_start(g->loop, &f->ev);
}

/* Initialize a new SockInfo structure */
static void addsock(curl_socket_t s, CURL *easy, int action,
                    struct GlobalInfo *g)
{
  struct SockInfo *fdp = (struct SockInfo *)calloc(1, sizeof(struct SockInfo));
  if(!fdp)
    loop_die("addsock", "out of memory");
  fdp->global = g;
  setsock(fdp, s, easy, action, g);
  curl_multi_assign(g->multi, s, fdp);
}

/* CURLMOPT_SOCKETFUNCTION */
static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  struct GlobalInfo *g = (struct GlobalInfo *)cbp;
  struct SockInfo *fdp = (struct SockInfo *)sockp;

  if(what == CURL_POLL_REMOVE) {
    remsock(fdp, g);
  }
  else {
    if(!fdp)
      addsock(s, e, what, g);
    else
      setsock(fdp, s, e, what, g);
  }
  return 0;
}

/* This gets called whenever data is received on standard input */
static void fifo_cb(EV_P_ struct ev_io *w, int revents)
{
  struct GlobalInfo *g = (struct GlobalInfo *)w->data;
  (void)revents;

  if(!read_url_lines(w->fd, &g->in, g->multi, &g->running))
    ev_io_stop(EV_A_ w); /* at its end: stop watching it */
}

int main(int argc, char **argv)
{
  struct GlobalInfo g;
  int i;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  memset(&g, 0, sizeof(g));
  g.loop = ev_default_loop(0);
  if(!g.loop)
    loop_die("main", "ev_default_loop failed");

  ev_io_init(&g.fifo_event, fifo_cb, STDIN_FILENO, EV_READ);
  g.fifo_event.data = &g;
  ev_io_start(g.loop, &g.fifo_event);

  g.multi = curl_multi_init();

  ev_timer_init(&g.timer_event, timer_cb, 0., 0.);
  g.timer_event.data = &g;
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);

  for(i = 1; i < argc; i++) {
    new_transfer(g.multi, argv[i]);
    g.running++;
  }

  /* Returns once no watcher is active: standard input ended, no socket
   * is watched and no timer is set. */
  ev_run(g.loop, 0);

  curl_multi_cleanup(g.multi);
  ev_loop_destroy(g.loop);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
