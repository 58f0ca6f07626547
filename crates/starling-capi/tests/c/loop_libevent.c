/*
 * The multi_socket API on libevent 2, in the style of libcurl's
 * hiperfifo.c: an event per socket (event_assign with EV_PERSIST), an
 * evtimer for libcurl's timer and an event on standard input.
 * event_base_dispatch returns by itself once no event is pending.
 * See loop_common.h for what the program does.
 */
#include "loop_common.h"

#include <event2/event.h>
#include <event2/event_struct.h>

/* Global information, common to all connections */
struct GlobalInfo {
  struct event_base *evbase;
  struct event fifo_event;
  struct event timer_event;
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
  struct event ev;
  struct GlobalInfo *global;
};

/* Update the event timer after curl_multi library calls */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct GlobalInfo *g = (struct GlobalInfo *)userp;
  struct timeval timeout;
  (void)multi;

  timeout.tv_sec = timeout_ms / 1000;
  timeout.tv_usec = (timeout_ms % 1000) * 1000;

  /*
   * if timeout_ms is -1, delete the timer
   *
   * For all other values of timeout_ms, this should set or *update* the timer
   * to the new value
   */
  if(timeout_ms == -1)
    evtimer_del(&g->timer_event);
  else /* includes timeout zero */
    evtimer_add(&g->timer_event, &timeout);
  return 0;
}

/* After every curl_multi_socket_action: the finished transfers, and no
 * timer once our count of running transfers dropped to zero. */
static void after_action(struct GlobalInfo *g)
{
  check_multi_info(g->multi);
  if(g->running > 0 && g->still_running <= 0) {
    /* last transfer done, kill timeout */
    if(evtimer_pending(&g->timer_event, NULL))
      evtimer_del(&g->timer_event);
  }
  g->running = g->still_running;
}

/* Called by libevent when we get action on a multi socket */
static void event_cb(evutil_socket_t fd, short kind, void *userp)
{
  struct GlobalInfo *g = (struct GlobalInfo *)userp;
  CURLMcode rc;

  int action = ((kind & EV_READ) ? CURL_CSELECT_IN : 0) |
               ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);

  rc = curl_multi_socket_action(g->multi, fd, action, &g->still_running);
  mcode_or_die("event_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Called by libevent when our timeout expires */
static void timer_cb(evutil_socket_t fd, short kind, void *userp)
{
  struct GlobalInfo *g = (struct GlobalInfo *)userp;
  CURLMcode rc;
  (void)fd;
  (void)kind;

  rc = curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                                &g->still_running);
  mcode_or_die("timer_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Clean up the SockInfo structure */
static void remsock(struct SockInfo *f)
{
  if(f) {
    if(event_initialized(&f->ev))
      event_del(&f->ev);
    free(f);
  }
}

/* Assign information to a SockInfo structure */
static void setsock(struct SockInfo *f, curl_socket_t s, CURL *e, int act,
                    struct GlobalInfo *g)
{
  int kind = ((act & CURL_POLL_IN) ? EV_READ : 0) |
             ((act & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST;

  f->sockfd = s;
  f->action = act;
  f->easy = e;
  if(event_initialized(&f->ev))
    event_del(&f->ev);
  event_assign(&f->ev, g->evbase, f->sockfd, (short)kind, event_cb, g);
  event_add(&f->ev, NULL);
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
    remsock(fdp);
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
static void fifo_cb(evutil_socket_t fd, short event, void *arg)
{
  struct GlobalInfo *g = (struct GlobalInfo *)arg;
  (void)event;

  if(!read_url_lines(fd, &g->in, g->multi, &g->running))
    event_del(&g->fifo_event); /* at its end: stop watching it */
}

int main(int argc, char **argv)
{
  struct GlobalInfo g;
  int i;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  memset(&g, 0, sizeof(g));
  g.evbase = event_base_new();
  if(!g.evbase)
    loop_die("main", "event_base_new failed");
  event_assign(&g.fifo_event, g.evbase, STDIN_FILENO, EV_READ | EV_PERSIST,
               fifo_cb, &g);
  event_add(&g.fifo_event, NULL);
  g.multi = curl_multi_init();
  evtimer_assign(&g.timer_event, g.evbase, timer_cb, &g);

  /* setup the generic multi interface options we want */
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);

  for(i = 1; i < argc; i++) {
    new_transfer(g.multi, argv[i]);
    g.running++;
  }

  /* Returns once no event is pending: standard input ended, no socket is
   * watched and no timer is set. */
  if(event_base_dispatch(g.evbase) != 1)
    loop_die("main", "event_base_dispatch did not end for lack of events");

  curl_multi_cleanup(g.multi);
  event_base_free(g.evbase);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
