/*
 * The multi_socket API on libuv, in the style of libcurl's multi-uv.c: a
 * uv_poll_t per socket, one uv_timer_t, and uv_run(UV_RUN_DEFAULT), which
 * returns when no handle is active. See hiper_common.h for what it does.
 */
#include "hiper_common.h"

#include <uv.h>

struct global {
  uv_loop_t *loop;
  uv_timer_t timeout;
  uv_poll_t input;
  CURLM *multi;
  int still_running;
  int own_running;
  struct hiper_lines in;
};

static struct global g;

struct curl_context {
  uv_poll_t poll_handle;
  curl_socket_t sockfd;
};

static void after_action(void)
{
  hiper_check_multi_info(g.multi);
  if(g.still_running < g.own_running) {
    g.own_running = g.still_running;
    if(g.own_running == 0)
      uv_timer_stop(&g.timeout); /* nothing of ours runs: cancel */
  }
}

static void close_cb(uv_handle_t *handle)
{
  free(handle->data);
}

static void curl_perform(uv_poll_t *req, int status, int events)
{
  struct curl_context *context = (struct curl_context *)req->data;
  int flags = 0;
  if(status < 0)
    flags = CURL_CSELECT_ERR;
  if(!status && events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if(!status && events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  curl_multi_socket_action(g.multi, context->sockfd, flags, &g.still_running);
  after_action();
}

static void on_timeout(uv_timer_t *req)
{
  (void)req;
  curl_multi_socket_action(g.multi, CURL_SOCKET_TIMEOUT, 0, &g.still_running);
  after_action();
}

static int start_timeout(CURLM *multi, long timeout_ms, void *userp)
{
  (void)multi;
  (void)userp;
  if(timeout_ms < 0)
    uv_timer_stop(&g.timeout);
  else
    uv_timer_start(&g.timeout, on_timeout, (uint64_t)timeout_ms, 0);
  return 0;
}

static int handle_socket(CURL *easy, curl_socket_t s, int action, void *userp,
                         void *socketp)
{
  struct curl_context *context = (struct curl_context *)socketp;
  int events = 0;
  (void)easy;
  (void)userp;
  switch(action) {
  case CURL_POLL_IN:
  case CURL_POLL_OUT:
  case CURL_POLL_INOUT:
    if(!context) {
      context = (struct curl_context *)calloc(1, sizeof(*context));
      if(!context)
        return -1;
      context->sockfd = s;
      uv_poll_init_socket(g.loop, &context->poll_handle, s);
      context->poll_handle.data = context;
      curl_multi_assign(g.multi, s, context);
    }
    if(action != CURL_POLL_IN)
      events |= UV_WRITABLE;
    if(action != CURL_POLL_OUT)
      events |= UV_READABLE;
    uv_poll_start(&context->poll_handle, events, curl_perform);
    break;
  case CURL_POLL_REMOVE:
    if(context) {
      uv_poll_stop(&context->poll_handle);
      uv_close((uv_handle_t *)&context->poll_handle, close_cb);
      curl_multi_assign(g.multi, s, NULL);
    }
    break;
  default:
    abort();
  }
  return 0;
}

static void on_input(uv_poll_t *req, int status, int events)
{
  (void)events;
  if(status < 0 || !hiper_read_stdin(&g.in, g.multi, &g.own_running)) {
    uv_poll_stop(req);
    uv_close((uv_handle_t *)req, NULL);
  }
}

int main(int argc, char **argv)
{
  int i;
  memset(&g, 0, sizeof(g));
  g.loop = uv_default_loop();
  if(curl_global_init(CURL_GLOBAL_ALL))
    hiper_die("curl_global_init failed");
  uv_timer_init(g.loop, &g.timeout);
  uv_poll_init(g.loop, &g.input, STDIN_FILENO);
  uv_poll_start(&g.input, UV_READABLE, on_input);
  g.multi = curl_multi_init();
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, handle_socket);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, start_timeout);
  for(i = 1; i < argc; i++)
    hiper_add(g.multi, argv[i], &g.own_running);
  uv_run(g.loop, UV_RUN_DEFAULT);
  curl_multi_cleanup(g.multi);
  uv_close((uv_handle_t *)&g.timeout, NULL);
  uv_run(g.loop, UV_RUN_DEFAULT);
  uv_loop_close(g.loop);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
