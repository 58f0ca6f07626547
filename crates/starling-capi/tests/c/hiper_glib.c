/*
 * The multi_socket API on glib, in the style of libcurl's ghiper.c: a
 * GIOChannel watch per socket, g_timeout_add for the timer. A GMainLoop
 * does not end by itself, so the program quits it when nothing is watched,
 * no timer is pending and stdin is closed. See hiper_common.h for what it
 * does.
 */
#include "hiper_common.h"

#include <glib.h>

struct global {
  GMainLoop *loop;
  guint timer_event;
  CURLM *multi;
  int watched;
  int stdin_open;
  int still_running;
  int own_running;
  struct hiper_lines in;
};

struct sock {
  GIOChannel *ch;
  guint ev;
};

static void maybe_quit(struct global *g)
{
  if(!g->stdin_open && g->watched == 0 && !g->timer_event)
    g_main_loop_quit(g->loop);
}

static void after_action(struct global *g)
{
  hiper_check_multi_info(g->multi);
  if(g->still_running < g->own_running) {
    g->own_running = g->still_running;
    if(g->own_running == 0 && g->timer_event) {
      g_source_remove(g->timer_event); /* nothing of ours runs: cancel */
      g->timer_event = 0;
    }
  }
  maybe_quit(g);
}

static gboolean timer_cb(gpointer data)
{
  struct global *g = (struct global *)data;
  g->timer_event = 0;
  curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                           &g->still_running);
  after_action(g);
  return FALSE;
}

static int update_timeout_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct global *g = (struct global *)userp;
  (void)multi;
  if(g->timer_event) {
    g_source_remove(g->timer_event);
    g->timer_event = 0;
  }
  if(timeout_ms >= 0)
    g->timer_event = g_timeout_add((guint)timeout_ms, timer_cb, g);
  return 0;
}

static gboolean event_cb(GIOChannel *ch, GIOCondition condition, gpointer data)
{
  struct global *g = (struct global *)data;
  int fd = g_io_channel_unix_get_fd(ch);
  int action = hiper_cselect(condition & (G_IO_IN | G_IO_HUP | G_IO_ERR),
                             condition & G_IO_OUT);
  curl_multi_socket_action(g->multi, fd, action, &g->still_running);
  after_action(g);
  /* The watch may have been replaced or removed by the socket callback;
   * returning TRUE keeps this source only if it is still the one. */
  return TRUE;
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  struct global *g = (struct global *)cbp;
  struct sock *f = (struct sock *)sockp;
  GIOCondition kind;
  (void)e;
  if(what == CURL_POLL_REMOVE) {
    if(f) {
      g_source_remove(f->ev);
      g_io_channel_unref(f->ch);
      g_free(f);
      g->watched--;
    }
    return 0;
  }
  kind = (GIOCondition)((what & CURL_POLL_IN ? G_IO_IN : 0) |
                        (what & CURL_POLL_OUT ? G_IO_OUT : 0));
  if(!f) {
    f = g_new0(struct sock, 1);
    f->ch = g_io_channel_unix_new(s);
    curl_multi_assign(g->multi, s, f);
    g->watched++;
  }
  else {
    g_source_remove(f->ev);
  }
  f->ev = g_io_add_watch(f->ch, kind, event_cb, g);
  return 0;
}

static gboolean input_cb(GIOChannel *ch, GIOCondition condition, gpointer data)
{
  struct global *g = (struct global *)data;
  (void)ch;
  (void)condition;
  if(hiper_read_stdin(&g->in, g->multi, &g->own_running))
    return TRUE;
  g->stdin_open = 0;
  maybe_quit(g);
  return FALSE;
}

int main(int argc, char **argv)
{
  struct global g;
  GIOChannel *input;
  int i;
  memset(&g, 0, sizeof(g));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g.loop = g_main_loop_new(NULL, FALSE);
  g.multi = curl_multi_init();
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, update_timeout_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);
  input = g_io_channel_unix_new(STDIN_FILENO);
  g.stdin_open = 1;
  g_io_add_watch(input, G_IO_IN | G_IO_HUP | G_IO_ERR, input_cb, &g);
  for(i = 1; i < argc; i++)
    hiper_add(g.multi, argv[i], &g.own_running);
  g_main_loop_run(g.loop);
  g_io_channel_unref(input);
  curl_multi_cleanup(g.multi);
  g_main_loop_unref(g.loop);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
