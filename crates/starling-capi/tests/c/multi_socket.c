/*
 * The shape of a typical libcurl multi_socket program (after libcurl's
 * documented hiper/evhiperfifo style): an application event loop owns the
 * sockets and the timer, libcurl is told about readiness through
 * curl_multi_socket_action(). tests/headers.rs only compiles this
 * (-fsyntax-only): it proves that such code builds against Starling's
 * headers, with the callbacks' types matching the typedefs.
 */
#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct global {
  CURLM *multi;
  int still_running;
  long timeout_ms;
};

struct conn {
  CURL *easy;
  char error[CURL_ERROR_SIZE];
  struct global *global;
  curl_off_t received;
};

struct sock {
  curl_socket_t fd;
  int action;
};

/* The entry points an application's event loop would call. */
void on_socket_event(struct global *g, curl_socket_t fd, int readable,
                     int writable, int error);
void on_timeout(struct global *g);
int start_transfer(struct global *g, const char *url);
int run(void);

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *data)
{
  struct conn *conn = (struct conn *)data;
  conn->received += (curl_off_t)(size * nmemb);
  (void)ptr;
  return size * nmemb;
}

static size_t header_cb(char *ptr, size_t size, size_t nitems, void *data)
{
  (void)ptr;
  (void)data;
  return size * nitems;
}

static size_t read_cb(char *ptr, size_t size, size_t nitems, void *data)
{
  (void)ptr;
  (void)size;
  (void)nitems;
  (void)data;
  return CURL_READFUNC_PAUSE;
}

static int xferinfo_cb(void *p, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
  (void)p;
  printf("%" CURL_FORMAT_CURL_OFF_T "/%" CURL_FORMAT_CURL_OFF_T " %"
         CURL_FORMAT_CURL_OFF_T "/%" CURL_FORMAT_CURL_OFF_T "\n",
         dlnow, dltotal, ulnow, ultotal);
  return 0;
}

static int progress_cb(void *p, double dltotal, double dlnow, double ultotal,
                       double ulnow)
{
  (void)p;
  return dltotal < dlnow || ultotal < ulnow;
}

static int debug_cb(CURL *handle, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  (void)handle;
  (void)data;
  (void)userp;
  if(type == CURLINFO_TEXT)
    fprintf(stderr, "* %lu bytes\n", (unsigned long)size);
  return 0;
}

static int sock_cb(CURL *easy, curl_socket_t s, int what, void *cbp,
                   void *sockp)
{
  struct global *g = (struct global *)cbp;
  struct sock *fdp = (struct sock *)sockp;
  (void)easy;
  if(what == CURL_POLL_REMOVE) {
    free(fdp);
    return 0;
  }
  if(!fdp) {
    fdp = (struct sock *)calloc(1, sizeof(*fdp));
    if(!fdp)
      return -1;
    fdp->fd = s;
    curl_multi_assign(g->multi, s, fdp);
  }
  fdp->action = what;
  if(what & CURL_POLL_IN)
    printf("wait for read on %d\n", (int)s);
  if(what & CURL_POLL_OUT)
    printf("wait for write on %d\n", (int)s);
  return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  struct global *g = (struct global *)userp;
  (void)multi;
  g->timeout_ms = timeout_ms;
  return 0;
}

static void check_multi_info(struct global *g)
{
  CURLMsg *msg;
  int msgs_left;
  while((msg = curl_multi_info_read(g->multi, &msgs_left)) != NULL) {
    if(msg->msg == CURLMSG_DONE) {
      CURL *easy = msg->easy_handle;
      CURLcode res = msg->data.result;
      struct conn *conn = NULL;
      char *eff_url = NULL;
      long code = 0;
      curl_off_t total_us = 0;
      double total_s = 0;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &conn);
      curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff_url);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
      curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
      curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &total_s);
      printf("DONE: %s => (%d) %s %ld %s\n", eff_url ? eff_url : "", res,
             curl_easy_strerror(res), code, conn ? conn->error : "");
      curl_multi_remove_handle(g->multi, easy);
      curl_easy_cleanup(easy);
      free(conn);
    }
  }
}

/* The application's event loop calls this when a socket is ready. */
void on_socket_event(struct global *g, curl_socket_t fd, int readable,
                     int writable, int error)
{
  int action = (readable ? CURL_CSELECT_IN : 0) |
               (writable ? CURL_CSELECT_OUT : 0) |
               (error ? CURL_CSELECT_ERR : 0);
  CURLMcode rc = curl_multi_socket_action(g->multi, fd, action,
                                          &g->still_running);
  if(rc != CURLM_OK)
    fprintf(stderr, "socket_action: %s\n", curl_multi_strerror(rc));
  check_multi_info(g);
}

/* ... and this when the timer libcurl asked for expires. */
void on_timeout(struct global *g)
{
  curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                           &g->still_running);
  check_multi_info(g);
}

int start_transfer(struct global *g, const char *url)
{
  struct curl_slist *headers = NULL;
  struct conn *conn = (struct conn *)calloc(1, sizeof(*conn));
  if(!conn)
    return 1;
  conn->easy = curl_easy_init();
  if(!conn->easy) {
    free(conn);
    return 1;
  }
  conn->global = g;
  headers = curl_slist_append(headers, "Accept: */*");
  curl_easy_setopt(conn->easy, CURLOPT_URL, url);
  curl_easy_setopt(conn->easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(conn->easy, CURLOPT_WRITEDATA, conn);
  curl_easy_setopt(conn->easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(conn->easy, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(conn->easy, CURLOPT_ERRORBUFFER, conn->error);
  curl_easy_setopt(conn->easy, CURLOPT_PRIVATE, conn);
  curl_easy_setopt(conn->easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(conn->easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  curl_easy_setopt(conn->easy, CURLOPT_XFERINFODATA, conn);
  curl_easy_setopt(conn->easy, CURLOPT_PROGRESSFUNCTION, progress_cb);
  curl_easy_setopt(conn->easy, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(conn->easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(conn->easy, CURLOPT_LOW_SPEED_TIME, 3L);
  curl_easy_setopt(conn->easy, CURLOPT_LOW_SPEED_LIMIT, 10L);
  curl_easy_setopt(conn->easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(conn->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   (curl_off_t)CURL_OFF_T_C(0));
  curl_easy_setopt(conn->easy, CURLOPT_HTTP_VERSION,
                   (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(conn->easy, CURLOPT_PIPEWAIT, 1L);
  curl_multi_add_handle(g->multi, conn->easy);
  curl_easy_pause(conn->easy, CURLPAUSE_CONT);
  curl_slist_free_all(headers);
  return 0;
}

int run(void)
{
  struct global g;
  curl_socket_callback scb = sock_cb;
  curl_multi_timer_callback tcb = timer_cb;
  curl_write_callback wcb = write_cb;
  curl_read_callback rcb = read_cb;
  curl_xferinfo_callback xcb = xferinfo_cb;
  curl_progress_callback pcb = progress_cb;
  curl_debug_callback dcb = debug_cb;
  struct curl_waitfd extra[1];
  int numfds = 0;
  long timeout = -1;

  (void)wcb;
  (void)rcb;
  (void)xcb;
  (void)pcb;
  (void)dcb;
  memset(&g, 0, sizeof(g));
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;
  printf("%s\n", curl_version());
  g.multi = curl_multi_init();
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, scb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, tcb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
  curl_multi_setopt(g.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 100L);
  curl_multi_setopt(g.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  start_transfer(&g, "http://localhost/");
  curl_multi_timeout(g.multi, &timeout);
  extra[0].fd = 0;
  extra[0].events = CURL_WAIT_POLLIN;
  extra[0].revents = 0;
  curl_multi_poll(g.multi, extra, 1, 100, &numfds);
  curl_multi_wait(g.multi, NULL, 0, 0, &numfds);
  curl_multi_perform(g.multi, &g.still_running);
  curl_multi_wakeup(g.multi);
  curl_multi_cleanup(g.multi);
  curl_global_cleanup();
  return 0;
}
