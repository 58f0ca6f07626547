/*
 * The multi_socket API on libuv, in the style of libcurl's multi-uv.c: a
 * uv_poll_t per socket (closed with uv_close when libcurl removes it), a
 * uv_timer_t for libcurl's timer and a uv_poll_t on standard input.
 * uv_run(UV_RUN_DEFAULT) returns by itself once no handle is active.
 * See loop_common.h for what the program does.
 */
#include "loop_common.h"

#include <uv.h>

static uv_loop_t *loop;
static CURLM *curl_handle;
static uv_timer_t timeout;
static uv_poll_t input;
static struct url_lines input_lines;
static int still_running;
static int running; /* our own count of running transfers */

typedef struct curl_context_s {
  uv_poll_t poll_handle;
  curl_socket_t sockfd;
} curl_context_t;

static curl_context_t *create_curl_context(curl_socket_t sockfd)
{
  curl_context_t *context;

  context = (curl_context_t *)malloc(sizeof(*context));
  if(!context)
    loop_die("create_curl_context", "out of memory");

  context->sockfd = sockfd;

  uv_poll_init_socket(loop, &context->poll_handle, sockfd);
  context->poll_handle.data = context;

  return context;
}

static void curl_close_cb(uv_handle_t *handle)
{
  curl_context_t *context = (curl_context_t *)handle->data;
  free(context);
}

static void destroy_curl_context(curl_context_t *context)
{
  uv_close((uv_handle_t *)&context->poll_handle, curl_close_cb);
}

/* After every curl_multi_socket_action: the finished transfers, and no
 * timer once our count of running transfers dropped to zero. */
static void after_action(void)
{
  check_multi_info(curl_handle);
  if(running > 0 && still_running <= 0)
    uv_timer_stop(&timeout); /* last transfer done, kill timeout */
  running = still_running;
}

static void curl_perform(uv_poll_t *req, int status, int events)
{
  int flags = 0;
  curl_context_t *context;

  if(status < 0)
    flags = CURL_CSELECT_ERR;
  if(!status && events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if(!status && events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;

  context = (curl_context_t *)req->data;

  mcode_or_die("curl_perform: curl_multi_socket_action",
               curl_multi_socket_action(curl_handle, context->sockfd, flags,
                                        &still_running));
  after_action();
}

static void on_timeout(uv_timer_t *req)
{
  (void)req;
  mcode_or_die("on_timeout: curl_multi_socket_action",
               curl_multi_socket_action(curl_handle, CURL_SOCKET_TIMEOUT, 0,
                                        &still_running));
  after_action();
}

static int start_timeout(CURLM *multi, long timeout_ms, void *userp)
{
  (void)multi;
  (void)userp;
  if(timeout_ms < 0) {
    uv_timer_stop(&timeout);
  }
  else {
    /* 0: as soon as the loop gets to it */
    uv_timer_start(&timeout, on_timeout, (uint64_t)timeout_ms, 0);
  }
  return 0;
}

static int handle_socket(CURL *easy, curl_socket_t s, int action, void *userp,
                         void *socketp)
{
  curl_context_t *curl_context;
  int events = 0;
  (void)easy;
  (void)userp;

  switch(action) {
  case CURL_POLL_IN:
  case CURL_POLL_OUT:
  case CURL_POLL_INOUT:
    curl_context = socketp ?
      (curl_context_t *)socketp : create_curl_context(s);

    curl_multi_assign(curl_handle, s, (void *)curl_context);

    if(action != CURL_POLL_IN)
      events |= UV_WRITABLE;
    if(action != CURL_POLL_OUT)
      events |= UV_READABLE;

    uv_poll_start(&curl_context->poll_handle, events, curl_perform);
    break;
  case CURL_POLL_REMOVE:
    if(socketp) {
      uv_poll_stop(&((curl_context_t *)socketp)->poll_handle);
      destroy_curl_context((curl_context_t *)socketp);
      curl_multi_assign(curl_handle, s, NULL);
    }
    break;
  default:
    abort();
  }

  return 0;
}

/* Standard input is readable (or at its end) */
static void on_input(uv_poll_t *req, int status, int events)
{
  (void)events;
  if(status == 0 &&
     read_url_lines(STDIN_FILENO, &input_lines, curl_handle, &running))
    return;
  /* At its end: stop watching it. */
  uv_poll_stop(req);
  uv_close((uv_handle_t *)req, NULL);
}

int main(int argc, char **argv)
{
  int i;

  loop = uv_default_loop();

  if(curl_global_init(CURL_GLOBAL_ALL)) {
    fprintf(stderr, "Could not init curl\n");
    return 1;
  }

  uv_timer_init(loop, &timeout);
  if(uv_poll_init(loop, &input, STDIN_FILENO))
    loop_die("main", "uv_poll_init(stdin) failed");
  uv_poll_start(&input, UV_READABLE, on_input);

  curl_handle = curl_multi_init();
  curl_multi_setopt(curl_handle, CURLMOPT_SOCKETFUNCTION, handle_socket);
  curl_multi_setopt(curl_handle, CURLMOPT_TIMERFUNCTION, start_timeout);

  for(i = 1; i < argc; i++) {
    new_transfer(curl_handle, argv[i]);
    running++;
  }

  /* Returns once no handle is active: standard input ended, no socket is
   * polled and the timer is stopped. */
  uv_run(loop, UV_RUN_DEFAULT);

  curl_multi_cleanup(curl_handle);
  uv_close((uv_handle_t *)&timeout, NULL);
  uv_run(loop, UV_RUN_DEFAULT); /* the close callbacks */
  if(uv_loop_close(loop))
    loop_die("main", "a libuv handle is still open");
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
