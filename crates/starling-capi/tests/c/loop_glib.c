/*
 * The multi_socket API on glib, in the style of libcurl's ghiper.c: a
 * GIOChannel watch (g_io_add_watch) per socket, g_timeout_add for
 * libcurl's timer and a watch on standard input. A GMainLoop does not end
 * by itself: the program quits it from its callbacks when standard input
 * has ended, no socket is watched and no timer is pending.
 * See loop_common.h for what the program does.
 */
#include "loop_common.h"

#include <glib.h>

/* Global information, common to all connections */
typedef struct _GlobalInfo {
  GMainLoop *gmain;
  CURLM *multi;
  guint timer_event;
  guint fifo_event;
  int still_running;
  int running; /* our own count of running transfers */
  int watched; /* sockets with a watch */
  struct url_lines in;
} GlobalInfo;

/* Information associated with a specific socket */
typedef struct _SockInfo {
  curl_socket_t sockfd;
  CURL *easy;
  int action;
  GIOChannel *ch;
  guint ev;
  GlobalInfo *global;
} SockInfo;

/* Nothing left to wait for: standard input ended, no socket watched, no
 * timer pending. */
static void quit_when_idle(GlobalInfo *g)
{
  if(!g->fifo_event && g->watched == 0 && !g->timer_event)
    g_main_loop_quit(g->gmain);
}

static void remove_timer(GlobalInfo *g)
{
  if(g->timer_event) {
    g_source_remove(g->timer_event);
    g->timer_event = 0;
  }
}

/* After every curl_multi_socket_action: the finished transfers, no timer
 * once our count of running transfers dropped to zero, and the end of the
 * loop when nothing is left. */
static void after_action(GlobalInfo *g)
{
  check_multi_info(g->multi);
  if(g->running > 0 && g->still_running <= 0)
    remove_timer(g); /* last transfer done, kill timeout */
  g->running = g->still_running;
  quit_when_idle(g);
}

/* Called by glib when our timeout expires */
static gboolean timer_cb(gpointer data)
{
  GlobalInfo *g = (GlobalInfo *)data;
  CURLMcode rc;

  g->timer_event = 0; /* this source ends: we return FALSE */
  rc = curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                                &g->still_running);
  mcode_or_die("timer_cb: curl_multi_socket_action", rc);
  after_action(g);
  return FALSE;
}

/* Update the event timer after curl_multi library calls */
static int update_timeout_cb(CURLM *multi, long timeout_ms, void *userp)
{
  GlobalInfo *g = (GlobalInfo *)userp;
  (void)multi;

  remove_timer(g);
  if(timeout_ms >= 0)
    g->timer_event = g_timeout_add((guint)timeout_ms, timer_cb, g);
  return 0;
}

/* Called by glib when we get action on a multi socket */
static gboolean event_cb(GIOChannel *ch, GIOCondition condition, gpointer data)
{
  GlobalInfo *g = (GlobalInfo *)data;
  CURLMcode rc;
  int fd = g_io_channel_unix_get_fd(ch);

  int action =
    ((condition & (G_IO_IN | G_IO_HUP)) ? CURL_CSELECT_IN : 0) |
    ((condition & G_IO_OUT) ? CURL_CSELECT_OUT : 0) |
    ((condition & G_IO_ERR) ? CURL_CSELECT_ERR : 0);

  rc = curl_multi_socket_action(g->multi, fd, action, &g->still_running);
  mcode_or_die("event_cb: curl_multi_socket_action", rc);
  after_action(g);
  /* If the socket callback replaced or removed this watch, its source is
   * already destroyed and the return value does not matter. */
  return TRUE;
}

/* Clean up the SockInfo structure */
static void remsock(SockInfo *f, GlobalInfo *g)
{
  if(!f)
    return;
  if(f->ev)
    g_source_remove(f->ev);
  g_io_channel_unref(f->ch);
  g_free(f);
  g->watched--;
}

/* Assign information to a SockInfo structure */
static void setsock(SockInfo *f, curl_socket_t s, CURL *e, int act,
                    GlobalInfo *g)
{
  GIOCondition kind = (GIOCondition)(
    ((act & CURL_POLL_IN) ? G_IO_IN : 0) |
    ((act & CURL_POLL_OUT) ? G_IO_OUT : 0));

  f->sockfd = s;
  f->action = act;
  f->easy = e;
  if(f->ev)
    g_source_remove(f->ev);
  f->ev = g_io_add_watch(f->ch, kind, event_cb, g);
}

/* Initialize a new SockInfo structure */
static void addsock(curl_socket_t s, CURL *easy, int action, GlobalInfo *g)
{
  SockInfo *fdp = g_malloc0(sizeof(SockInfo));

  fdp->global = g;
  fdp->ch = g_io_channel_unix_new(s);
  setsock(fdp, s, easy, action, g);
  curl_multi_assign(g->multi, s, fdp);
  g->watched++;
}

/* CURLMOPT_SOCKETFUNCTION */
static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  GlobalInfo *g = (GlobalInfo *)cbp;
  SockInfo *fdp = (SockInfo *)sockp;

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

/* This gets called by glib whenever standard input is readable */
static gboolean fifo_cb(GIOChannel *ch, GIOCondition condition, gpointer data)
{
  GlobalInfo *g = (GlobalInfo *)data;
  (void)condition;

  if(read_url_lines(g_io_channel_unix_get_fd(ch), &g->in, g->multi,
                    &g->running))
    return TRUE;
  /* At its end: stop watching it (returning FALSE removes the watch). */
  g->fifo_event = 0;
  quit_when_idle(g);
  return FALSE;
}

int main(int argc, char **argv)
{
  GlobalInfo *g;
  GIOChannel *ch;
  int i;

  curl_global_init(CURL_GLOBAL_DEFAULT);
  g = g_malloc0(sizeof(GlobalInfo));

  ch = g_io_channel_unix_new(STDIN_FILENO);
  g->fifo_event = g_io_add_watch(ch, G_IO_IN | G_IO_HUP | G_IO_ERR, fifo_cb, g);
  g->gmain = g_main_loop_new(NULL, FALSE);
  g->multi = curl_multi_init();
  curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
  curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, update_timeout_cb);
  curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);

  for(i = 1; i < argc; i++) {
    new_transfer(g->multi, argv[i]);
    g->running++;
  }

  g_main_loop_run(g->gmain);

  curl_multi_cleanup(g->multi);
  remove_timer(g);
  g_io_channel_unref(ch);
  g_main_loop_unref(g->gmain);
  g_free(g);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
