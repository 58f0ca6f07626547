/*
 * What libcurl programs rely on beyond fetching: the answers to NULL
 * handles and unknown options, what the callbacks are called with and
 * when, calls made from inside them, handles removed after their message
 * and added again, and the small helpers (escaping, curl_getenv). Takes
 * two URLs (a 100-byte 200 response and a 404); prints
 * "FAIL: ..." on stderr for each check that does not hold and exits 1 if
 * any did not, else prints "ok N checks" and exits 0.
 */
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static int checks, failures;

#define CHECK(cond, ...)                      \
  do {                                        \
    checks++;                                 \
    if(!(cond)) {                             \
      failures++;                             \
      fprintf(stderr, "FAIL: " __VA_ARGS__);  \
      fprintf(stderr, " [line %d]\n", __LINE__); \
    }                                         \
  } while(0)

static CURLM *multi;
static CURL *the_easy;  /* the transfer the callbacks expect */
static CURL *spare;     /* a handle added from inside a callback (refused) */

/* What the timer callback saw. */
static int timer_calls;
static long timer_last = -2;
static void *timer_multi, *timer_userp;
static int recurse_in_timer; /* try calls into the multi handle once */
static CURLMcode timer_socket_action = -100, timer_add = -100,
                 timer_setopt = -100, timer_timeout = -100;
static int timer_info_read_null = -1;
/* Inside the timer callback, read one message (once). */
static int read_msg_in_timer;
static CURLMsg timer_msg;
static int timer_msg_read = -1, timer_msg_left = -1;

/* What the socket callback saw, and the sockets it asked for. */
#define MAX_SOCKETS 16
static struct {
  curl_socket_t fd;
  int what;
} sockets[MAX_SOCKETS];
static int nsockets;
static int socket_calls, socket_bad_easy, socket_bad_userp, socket_bad_socketp;
static int recurse_in_socket;
static CURLMcode socket_socket_action = -100, socket_assign = -100,
                 socket_remove = -100;
static char socket_mark[MAX_SOCKETS]; /* what curl_multi_assign attaches */

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
  timer_calls++;
  timer_last = timeout_ms;
  timer_multi = m;
  timer_userp = userp;
  if(recurse_in_timer) {
    int running = -1;
    long ms = 0;
    recurse_in_timer = 0;
    timer_socket_action =
      curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
    timer_add = curl_multi_add_handle(m, spare);
    timer_setopt = curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 5L);
    timer_timeout = curl_multi_timeout(m, &ms);
    timer_info_read_null = curl_multi_info_read(m, &running) == NULL;
  }
  if(read_msg_in_timer) {
    CURLMsg *msg = curl_multi_info_read(m, &timer_msg_left);
    read_msg_in_timer = 0;
    timer_msg_read = msg != NULL;
    if(msg)
      timer_msg = *msg;
  }
  return 0;
}

static int slot_of(curl_socket_t s)
{
  int i;
  for(i = 0; i < nsockets; i++)
    if(sockets[i].fd == s)
      return i;
  return -1;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  int i = slot_of(s);
  socket_calls++;
  if(userp != (void *)&sockets)
    socket_bad_userp++;
  /* The transfer's handle (NULL is allowed for a connection that no
   * transfer uses, such as one kept alive in the pool). */
  if(what != CURL_POLL_REMOVE && easy != the_easy && easy != NULL)
    socket_bad_easy++;
  /* A socket seen before carries what curl_multi_assign attached. */
  if(i >= 0 && socketp != &socket_mark[i])
    socket_bad_socketp++;
  if(i < 0 && socketp != NULL)
    socket_bad_socketp++;
  if(recurse_in_socket) {
    int running = -1;
    recurse_in_socket = 0;
    socket_socket_action =
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    socket_remove = curl_multi_remove_handle(multi, the_easy);
  }
  if(what == CURL_POLL_REMOVE) {
    if(i >= 0) {
      sockets[i] = sockets[nsockets - 1];
      nsockets--;
      /* The marks follow the slots: attach the moved socket's again. */
      if(i < nsockets)
        curl_multi_assign(multi, sockets[i].fd, &socket_mark[i]);
    }
    return 0;
  }
  if(i < 0) {
    if(nsockets == MAX_SOCKETS)
      return -1;
    i = nsockets++;
    sockets[i].fd = s;
    socket_assign = curl_multi_assign(multi, s, &socket_mark[i]);
  }
  sockets[i].what = what;
  return 0;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  *(size_t *)userdata += size * nmemb;
  return size * nmemb;
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs the multi_socket loop until a message arrives for `easy`; returns
 * its result, or -1 on a stall. With `easy` NULL: until no transfer runs,
 * reading no message; returns 0. */
static int run_until_done(CURL *easy)
{
  double deadline = now_ms() + 10000;
  int running = 1;
  for(;;) {
    struct pollfd pfds[MAX_SOCKETS];
    int i, n = nsockets, got, timeout;
    CURLMsg *msg;
    int left;
    if(!easy && running == 0)
      return 0;
    while(easy && (msg = curl_multi_info_read(multi, &left))) {
      if(msg->msg == CURLMSG_DONE && msg->easy_handle == easy)
        return (int)msg->data.result;
    }
    if(now_ms() > deadline)
      return -1;
    for(i = 0; i < n; i++) {
      pfds[i].fd = sockets[i].fd;
      pfds[i].events = (short)((sockets[i].what & CURL_POLL_IN ? POLLIN : 0) |
                               (sockets[i].what & CURL_POLL_OUT ? POLLOUT : 0));
      pfds[i].revents = 0;
    }
    timeout = timer_last < 0 ? 1000 : (int)timer_last;
    got = poll(pfds, (nfds_t)n, timeout);
    if(got == 0) {
      /* The timer is one-shot: it is disarmed unless the callback sets it
       * again during the call. */
      timer_last = -1;
      curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
      continue;
    }
    for(i = 0; i < n; i++) {
      int mask = (pfds[i].revents & POLLIN ? CURL_CSELECT_IN : 0) |
                 (pfds[i].revents & POLLOUT ? CURL_CSELECT_OUT : 0) |
                 (pfds[i].revents & (POLLERR | POLLHUP) ? CURL_CSELECT_ERR : 0);
      if(mask)
        curl_multi_socket_action(multi, pfds[i].fd, mask, &running);
    }
  }
}

/* ---- inside a transfer's own callbacks ---------------------------------- */

static int header_calls, blank_line_last, blank_before_body = -1;
static long header_code = -1;
static CURLcode header_getinfo = (CURLcode)-1;
static int peeked;
static CURLcode peek_results[6];
static long peek_code = -1, peek_port = -1;
static char peek_type[64], peek_url[256];
static curl_off_t peek_size = -1, peek_total = -1;
static CURLcode peek_other = (CURLcode)-1;
static CURL *other_easy;

static size_t on_header_peek(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  size_t n = size * nmemb;
  (void)userdata;
  header_calls++;
  blank_line_last = n == 2 && ptr[0] == '\r' && ptr[1] == '\n';
  if(header_calls == 1)
    header_getinfo = curl_easy_getinfo(the_easy, CURLINFO_RESPONSE_CODE, &header_code);
  return n;
}

static void copy_string(char *to, size_t room, const char *from)
{
  snprintf(to, room, "%s", from ? from : "(null)");
}

static size_t on_write_peek(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  (void)userdata;
  if(!peeked) {
    char *type = NULL, *url = NULL;
    peeked = 1;
    blank_before_body = blank_line_last;
    peek_results[0] = curl_easy_getinfo(the_easy, CURLINFO_RESPONSE_CODE, &peek_code);
    peek_results[1] = curl_easy_getinfo(the_easy, CURLINFO_CONTENT_TYPE, &type);
    copy_string(peek_type, sizeof(peek_type), type);
    peek_results[2] = curl_easy_getinfo(the_easy, CURLINFO_EFFECTIVE_URL, &url);
    copy_string(peek_url, sizeof(peek_url), url);
    peek_results[3] = curl_easy_getinfo(the_easy, CURLINFO_SIZE_DOWNLOAD_T, &peek_size);
    peek_results[4] = curl_easy_getinfo(the_easy, CURLINFO_PRIMARY_PORT, &peek_port);
    peek_results[5] = curl_easy_getinfo(the_easy, CURLINFO_PRIVATE, &url);
    curl_easy_getinfo(the_easy, CURLINFO_TOTAL_TIME_T, &peek_total);
    /* Another running transfer's info is not lent to this callback. */
    peek_other = curl_easy_getinfo(other_easy, CURLINFO_RESPONSE_CODE, &peek_code);
    curl_easy_getinfo(the_easy, CURLINFO_RESPONSE_CODE, &peek_code);
  }
  return size * nmemb;
}

/* A write callback asks for its own transfer's info; the header callback
 * gets the status line, the fields and an empty line before any body; a
 * message is read inside the timer callback. */
static void inside_callbacks(const char *url)
{
  CURL *first = curl_easy_init(), *second = curl_easy_init();
  size_t bytes = 0;
  int i, result;
  multi = curl_multi_init();
  nsockets = 0;
  timer_last = -2;
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &sockets);
  curl_easy_setopt(first, CURLOPT_URL, url);
  curl_easy_setopt(first, CURLOPT_WRITEFUNCTION, on_write_peek);
  curl_easy_setopt(first, CURLOPT_HEADERFUNCTION, on_header_peek);
  curl_easy_setopt(second, CURLOPT_URL, url);
  curl_easy_setopt(second, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(second, CURLOPT_WRITEDATA, &bytes);
  the_easy = first;
  other_easy = second;
  CHECK(curl_multi_add_handle(multi, first) == CURLM_OK, "add the first");
  CHECK(curl_multi_add_handle(multi, second) == CURLM_OK, "add the second");
  CHECK(run_until_done(NULL) == 0, "both transfers ran");
  CHECK(peeked, "the write callback ran");
  for(i = 0; i < 6; i++)
    CHECK(peek_results[i] == CURLE_OK, "getinfo %d inside the write callback answered %d",
          i, (int)peek_results[i]);
  CHECK(peek_code == 200, "RESPONSE_CODE inside the write callback: %ld", peek_code);
  CHECK(strcmp(peek_type, "application/octet-stream") == 0,
        "CONTENT_TYPE inside the write callback: %s", peek_type);
  CHECK(strcmp(peek_url, url) == 0, "EFFECTIVE_URL inside the write callback: %s", peek_url);
  CHECK(peek_size >= 0 && peek_size <= 100, "SIZE_DOWNLOAD_T inside the write callback");
  CHECK(peek_port > 0, "PRIMARY_PORT inside the write callback: %ld", peek_port);
  CHECK(peek_total > 0, "TOTAL_TIME_T inside the write callback: the time so far, %ld us",
        (long)peek_total);
  CHECK(peek_other == CURLE_BAD_FUNCTION_ARGUMENT,
        "another running handle's info inside a callback answered %d", (int)peek_other);
  CHECK(header_getinfo == CURLE_OK && header_code == 200,
        "RESPONSE_CODE inside the header callback: %d, %ld", (int)header_getinfo, header_code);
  CHECK(blank_before_body == 1, "the header callback got an empty line before the body");
  CHECK(header_calls >= 4, "header callback calls: %d", header_calls);

  /* Two messages wait; the timer callback that add_handle calls reads one. */
  curl_multi_remove_handle(multi, second);
  read_msg_in_timer = 1;
  CHECK(curl_multi_add_handle(multi, second) == CURLM_OK, "add the second again");
  CHECK(timer_msg_read == 1, "info_read inside the timer callback gave no message");
  CHECK(timer_msg.msg == CURLMSG_DONE && timer_msg.easy_handle == first &&
        timer_msg.data.result == CURLE_OK,
        "the message read inside the timer callback");
  CHECK(timer_msg_left == 0, "messages left after it: %d (the removed handle's went)",
        timer_msg_left);
  result = run_until_done(second);
  CHECK(result == CURLE_OK, "the second transfer again: %d", result);
  CHECK(bytes == 200, "the second transfer's bodies: %d bytes", (int)bytes);
  curl_multi_remove_handle(multi, first);
  curl_multi_remove_handle(multi, second);
  CHECK(curl_multi_cleanup(multi) == CURLM_OK, "multi_cleanup");
  curl_easy_cleanup(first);
  curl_easy_cleanup(second);
}

/* ---- CURLOPT_VERBOSE ------------------------------------------------------ */

static int debug_calls[3], debug_bad_handle, debug_bad_userp;
static char debug_out_first[32], debug_in_first[32];

static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  int len = (int)(size < 20 ? size : 20);
  if(handle != the_easy)
    debug_bad_handle++;
  if(userp != (void *)debug_calls)
    debug_bad_userp++;
  if(type > CURLINFO_HEADER_OUT)
    return 0;
  if(debug_calls[type] == 0 && type == CURLINFO_HEADER_OUT)
    snprintf(debug_out_first, sizeof(debug_out_first), "%.*s", len, data);
  if(debug_calls[type] == 0 && type == CURLINFO_HEADER_IN)
    snprintf(debug_in_first, sizeof(debug_in_first), "%.*s", len, data);
  debug_calls[type]++;
  return 0;
}

/* The trace goes to CURLOPT_DEBUGFUNCTION, else to CURLOPT_STDERR as
 * curl -v prints it, and nowhere without CURLOPT_VERBOSE. */
static void verbose_trace(const char *url)
{
  CURL *easy = curl_easy_init();
  FILE *trace = tmpfile();
  char text[4096];
  size_t n, bytes = 0;
  the_easy = easy;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes);
  CHECK(curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L) == CURLE_OK, "VERBOSE");
  CHECK(curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug) == CURLE_OK,
        "DEBUGFUNCTION");
  CHECK(curl_easy_setopt(easy, CURLOPT_DEBUGDATA, debug_calls) == CURLE_OK,
        "DEBUGDATA");
  CHECK(curl_easy_perform(easy) == CURLE_OK, "a traced perform");
  CHECK(debug_calls[CURLINFO_TEXT] >= 2, "text traces: %d", debug_calls[CURLINFO_TEXT]);
  CHECK(debug_calls[CURLINFO_HEADER_OUT] == 1, "request heads traced: %d",
        debug_calls[CURLINFO_HEADER_OUT]);
  CHECK(strncmp(debug_out_first, "GET /bytes/100 HTTP", 19) == 0,
        "the request head traced: %s", debug_out_first);
  CHECK(debug_calls[CURLINFO_HEADER_IN] >= 3, "response head lines traced: %d",
        debug_calls[CURLINFO_HEADER_IN]);
  CHECK(strncmp(debug_in_first, "HTTP/1.1 200 OK\r\n", 17) == 0,
        "the status line traced: %s", debug_in_first);
  CHECK(debug_bad_handle == 0, "the debug callback's handle");
  CHECK(debug_bad_userp == 0, "the debug callback's DEBUGDATA");

  CHECK(trace != NULL, "tmpfile");
  if(!trace)
    return;
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, NULL);
  curl_easy_setopt(easy, CURLOPT_STDERR, trace);
  CHECK(curl_easy_perform(easy) == CURLE_OK, "a perform traced to STDERR");
  rewind(trace);
  n = fread(text, 1, sizeof(text) - 1, trace);
  text[n] = 0;
  /* As libcurl prints them: each head line as received or sent, with its
     CRLF; "> " once before the request head. */
  CHECK(strstr(text, "\n> GET /bytes/100 HTTP/1.1\r\n") != NULL, "> request line in\n%s", text);
  CHECK(strstr(text, "\n< HTTP/1.1 200 OK\r\n") != NULL, "< status line in\n%s", text);
  CHECK(strncmp(text, "* ", 2) == 0, "a * step first in\n%s", text);

  rewind(trace);
  CHECK(curl_easy_setopt(easy, CURLOPT_VERBOSE, 0L) == CURLE_OK, "VERBOSE off");
  CHECK(curl_easy_perform(easy) == CURLE_OK, "an untraced perform");
  CHECK(ftell(trace) == 0, "nothing traced without VERBOSE");
  CHECK(bytes == 300, "three bodies: %d bytes", (int)bytes);
  fclose(trace);
  curl_easy_cleanup(easy);
}

/* ---- FAILONERROR; HEADERDATA without a header function ------------------- */

static size_t on_write_count_lines(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  (*(int *)userdata)++;
  return size * nmemb;
}

static void fail_and_header_data(const char *url, const char *not_found)
{
  CURL *easy = curl_easy_init();
  FILE *body = tmpfile(), *head = tmpfile();
  char error[CURL_ERROR_SIZE] = "", text[1024];
  long status = 0;
  int calls = 0;
  size_t n;
  CURLcode result;
  CHECK(body && head, "tmpfile");
  if(!body || !head)
    return;
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(easy, CURLOPT_URL, not_found);
  CHECK(curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L) == CURLE_OK, "FAILONERROR");
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  CHECK(result == CURLE_HTTP_RETURNED_ERROR, "a 404 with FAILONERROR: %d", (int)result);
  CHECK(status == 404, "its status: %ld", status);
  CHECK(strcmp(error, "The requested URL returned error: 404") == 0, "its message: %s", error);
  CHECK(ftell(body) == 0, "no body written for it");

  /* Without FAILONERROR a 404 is a success; with it, a 200 is too. */
  curl_easy_setopt(easy, CURLOPT_FAILONERROR, 0L);
  CHECK(curl_easy_perform(easy) == CURLE_OK, "a 404 without FAILONERROR");
  curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  CHECK(curl_easy_perform(easy) == CURLE_OK, "a 200 with FAILONERROR after a 404");

  /* HEADERDATA without a header or write function: fwrite to that FILE *. */
  rewind(body);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, head);
  CHECK(curl_easy_perform(easy) == CURLE_OK, "headers to a FILE *");
  CHECK(ftell(body) == 100, "the body beside them: %ld bytes", ftell(body));
  n = (size_t)ftell(head);
  rewind(head);
  n = fread(text, 1, n < sizeof(text) - 1 ? n : sizeof(text) - 1, head);
  text[n] = 0;
  CHECK(strncmp(text, "HTTP/1.1 200 OK\r\n", 17) == 0, "the status line first: %s", text);
  CHECK(n > 4 && strcmp(text + n - 4, "\r\n\r\n") == 0, "the empty line last: %s", text);
  CHECK(strstr(text, "\r\ncontent-length: 100\r\n") != NULL ||
        strstr(text, "\r\nContent-Length: 100\r\n") != NULL, "a field: %s", text);

  /* With a write function but no header function, HEADERDATA goes to the
   * write function with each header line. */
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write_count_lines);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &calls);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &calls);
  CHECK(curl_easy_perform(easy) == CURLE_OK, "headers to the write function");
  CHECK(calls >= 5, "write calls for head lines and body: %d", calls);
  fclose(body);
  fclose(head);
  curl_easy_cleanup(easy);
}

/* ---- the small helpers ---------------------------------------------------- */

static void helpers(void)
{
  int len = -1;
  char *s = curl_easy_escape(NULL, "a b/c?d=\xff~", 0);
  CHECK(s && strcmp(s, "a%20b%2Fc%3Fd%3D%FF~") == 0, "curl_easy_escape: %s", s ? s : "NULL");
  curl_free(s);
  s = curl_easy_escape(NULL, "abc", 2);
  CHECK(s && strcmp(s, "ab") == 0, "curl_easy_escape of a length");
  curl_free(s);
  s = curl_easy_unescape(NULL, "a%20b%2fc%00d", 0, &len);
  CHECK(s && len == 7 && memcmp(s, "a b/c\0d", 8) == 0, "curl_easy_unescape: %d", len);
  curl_free(s);
  s = curl_unescape("100%", 0);
  CHECK(s && strcmp(s, "100%") == 0, "a lone %% stays");
  curl_free(s);
  s = curl_escape("x y", 0);
  CHECK(s && strcmp(s, "x%20y") == 0, "curl_escape");
  curl_free(s);
  CHECK(curl_easy_escape(NULL, NULL, 0) == NULL, "escaping NULL");
  setenv("STARLING_BEHAVIOUR_TEST", "set", 1);
  s = curl_getenv("STARLING_BEHAVIOUR_TEST");
  CHECK(s && strcmp(s, "set") == 0, "curl_getenv");
  curl_free(s);
  CHECK(curl_getenv("STARLING_BEHAVIOUR_TEST_UNSET") == NULL, "curl_getenv of an unset name");
  curl_free(NULL);
}

static void null_handles(void)
{
  CURL *easy = curl_easy_init();
  CURLM *m = curl_multi_init();
  int running = 0;
  long value = 0;
  CHECK(curl_multi_add_handle(NULL, easy) == CURLM_BAD_HANDLE,
        "add_handle(NULL, easy)");
  CHECK(curl_multi_add_handle(m, NULL) == CURLM_BAD_EASY_HANDLE,
        "add_handle(multi, NULL)");
  CHECK(curl_multi_remove_handle(NULL, easy) == CURLM_BAD_HANDLE,
        "remove_handle(NULL, easy)");
  CHECK(curl_multi_remove_handle(m, NULL) == CURLM_BAD_EASY_HANDLE,
        "remove_handle(multi, NULL)");
  CHECK(curl_multi_setopt(NULL, CURLMOPT_MAXCONNECTS, 1L) == CURLM_BAD_HANDLE,
        "multi_setopt(NULL)");
  CHECK(curl_multi_socket_action(NULL, CURL_SOCKET_TIMEOUT, 0, &running) ==
        CURLM_BAD_HANDLE, "socket_action(NULL)");
  CHECK(curl_multi_timeout(NULL, &value) == CURLM_BAD_HANDLE,
        "multi_timeout(NULL)");
  CHECK(curl_multi_assign(NULL, 3, NULL) == CURLM_BAD_HANDLE,
        "multi_assign(NULL)");
  CHECK(curl_multi_info_read(NULL, &running) == NULL, "info_read(NULL)");
  CHECK(curl_multi_cleanup(NULL) == CURLM_BAD_HANDLE, "multi_cleanup(NULL)");
  CHECK(curl_easy_setopt(NULL, CURLOPT_URL, "http://127.0.0.1/") ==
        CURLE_BAD_FUNCTION_ARGUMENT, "easy_setopt(NULL)");
  CHECK(curl_easy_getinfo(NULL, CURLINFO_RESPONSE_CODE, &value) ==
        CURLE_BAD_FUNCTION_ARGUMENT, "easy_getinfo(NULL)");
  CHECK(curl_easy_perform(NULL) == CURLE_BAD_FUNCTION_ARGUMENT,
        "easy_perform(NULL)");
  curl_easy_cleanup(NULL); /* does nothing */
  /* A handle never added: removing it is no error, as in libcurl. */
  CHECK(curl_multi_remove_handle(m, easy) == CURLM_OK,
        "remove_handle of a handle not added");
  curl_easy_cleanup(easy);
  CHECK(curl_multi_cleanup(m) == CURLM_OK, "multi_cleanup");
}

static void unknown_options(void)
{
  CURL *easy = curl_easy_init();
  CURLM *m = curl_multi_init();
  long value = 0;
  curl_off_t off = 0;
  /* Numbers no libcurl option has, one in each family. */
  CHECK(curl_easy_setopt(easy, (CURLoption)9999, 1L) == CURLE_UNKNOWN_OPTION,
        "unknown long easy option");
  CHECK(curl_easy_setopt(easy, (CURLoption)19999, "x") == CURLE_UNKNOWN_OPTION,
        "unknown pointer easy option");
  CHECK(curl_easy_setopt(easy, (CURLoption)29999, on_write) ==
        CURLE_UNKNOWN_OPTION, "unknown function easy option");
  CHECK(curl_easy_setopt(easy, (CURLoption)39999, (curl_off_t)1) ==
        CURLE_UNKNOWN_OPTION, "unknown curl_off_t easy option");
  CHECK(CURLE_UNKNOWN_OPTION == 48, "CURLE_UNKNOWN_OPTION is 48");
  CHECK(curl_easy_getinfo(easy, (CURLINFO)(CURLINFO_LONG + 999), &value) ==
        CURLE_UNKNOWN_OPTION, "unknown long info");
  CHECK(curl_easy_getinfo(easy, (CURLINFO)(CURLINFO_OFF_T + 999), &off) ==
        CURLE_UNKNOWN_OPTION, "unknown curl_off_t info");
  CHECK(curl_multi_setopt(m, (CURLMoption)9999, 1L) == CURLM_UNKNOWN_OPTION,
        "unknown long multi option");
  CHECK(curl_multi_setopt(m, (CURLMoption)19999, "x") == CURLM_UNKNOWN_OPTION,
        "unknown pointer multi option");
  CHECK(curl_multi_setopt(m, (CURLMoption)29999, on_write) ==
        CURLM_UNKNOWN_OPTION, "unknown function multi option");
  /* The handles still work. */
  CHECK(curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1/") == CURLE_OK,
        "a known option after unknown ones");
  CHECK(curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 4L) == CURLM_OK,
        "a known multi option after unknown ones");
  /* libcurl's own options that Starling does not implement. */
  CHECK(curl_easy_setopt(easy, CURLOPT_SSH_PUBLIC_KEYFILE, "key.pub") ==
        CURLE_NOT_BUILT_IN, "CURLOPT_SSH_PUBLIC_KEYFILE is not built in");
  CHECK(curl_easy_setopt(easy, CURLOPT_SSH_AUTH_TYPES, 1L) == CURLE_NOT_BUILT_IN,
        "CURLOPT_SSH_AUTH_TYPES is not built in");
  CHECK(curl_easy_setopt(easy, CURLOPT_CHUNK_BGN_FUNCTION, on_write) ==
        CURLE_NOT_BUILT_IN, "CURLOPT_CHUNK_BGN_FUNCTION is not built in");
  CHECK(curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)-1) ==
        CURLE_BAD_FUNCTION_ARGUMENT, "CURLOPT_MAX_RECV_SPEED_LARGE -1 is refused");
  /* ... set to libcurl's default, they are accepted (the curl tool sets
   * many so and stops at the first error) ... */
  CHECK(curl_easy_setopt(easy, CURLOPT_PROXYUSERPWD, NULL) == CURLE_OK,
        "CURLOPT_PROXYUSERPWD NULL");
  CHECK(curl_easy_setopt(easy, CURLOPT_NETRC, 0L) == CURLE_OK, "CURLOPT_NETRC 0");
  CHECK(curl_easy_setopt(easy, CURLOPT_SSL_ENABLE_ALPN, 1L) == CURLE_OK,
        "CURLOPT_SSL_ENABLE_ALPN 1");
  CHECK(curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)0) ==
        CURLE_OK, "CURLOPT_MAX_RECV_SPEED_LARGE 0");
  CHECK(curl_easy_setopt(easy, CURLOPT_CHUNK_BGN_FUNCTION, NULL) == CURLE_OK,
        "CURLOPT_CHUNK_BGN_FUNCTION NULL");
  /* ... and any other value says why in the error buffer. */
  {
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    CHECK(curl_easy_setopt(easy, CURLOPT_SSL_ENABLE_ALPN, 0L) == CURLE_NOT_BUILT_IN,
          "CURLOPT_SSL_ENABLE_ALPN 0 is not built in");
    CHECK(strstr(errbuf, "CURLOPT_SSL_ENABLE_ALPN") != NULL,
          "the error buffer names the option: [%s]", errbuf);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
  }
  /* libcurl's multi options are accepted: the pipelining ones libcurl
   * ignores too, the HTTP/2 ones have nothing to act on. */
  CHECK(curl_multi_setopt(m, CURLMOPT_MAX_CONCURRENT_STREAMS, 10L) == CURLM_OK,
        "CURLMOPT_MAX_CONCURRENT_STREAMS");
  CHECK(curl_multi_setopt(m, CURLMOPT_PUSHFUNCTION, NULL) == CURLM_OK,
        "CURLMOPT_PUSHFUNCTION");
  CHECK(curl_multi_setopt(m, CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE, (curl_off_t)1) ==
        CURLM_OK, "CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE");
  CHECK(curl_multi_setopt(m, (CURLMoption)39999, (curl_off_t)1) == CURLM_UNKNOWN_OPTION,
        "unknown curl_off_t multi option");
  CHECK(curl_easy_strerror(CURLE_UNKNOWN_OPTION) != NULL &&
        curl_easy_strerror((CURLcode)12345) != NULL, "curl_easy_strerror");
  CHECK(curl_multi_strerror(CURLM_UNKNOWN_OPTION) != NULL &&
        curl_multi_strerror((CURLMcode)12345) != NULL, "curl_multi_strerror");
  curl_easy_cleanup(easy);
  curl_multi_cleanup(m);
}

static void layout(void)
{
  /* libcurl's CURLMsg on LP64 systems: 24 bytes, as C programs index it. */
  if(sizeof(void *) == 8) {
    CHECK(sizeof(CURLMsg) == 24, "sizeof(CURLMsg) is %d", (int)sizeof(CURLMsg));
    CHECK(offsetof(CURLMsg, easy_handle) == 8, "offsetof easy_handle");
    CHECK(offsetof(CURLMsg, data) == 16, "offsetof data");
  }
}

static void transfers(const char *url)
{
  size_t bytes = 0;
  long status = 0;
  int calls_before, result;
  char *priv = NULL;
  static char private_mark;

  multi = curl_multi_init();
  CHECK(curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer) == CURLM_OK,
        "TIMERFUNCTION");
  CHECK(curl_multi_setopt(multi, CURLMOPT_TIMERDATA, &timer_calls) == CURLM_OK,
        "TIMERDATA");
  CHECK(curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket) ==
        CURLM_OK, "SOCKETFUNCTION");
  CHECK(curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &sockets) == CURLM_OK,
        "SOCKETDATA");
  the_easy = curl_easy_init();
  spare = curl_easy_init();
  curl_easy_setopt(the_easy, CURLOPT_URL, url);
  curl_easy_setopt(the_easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(the_easy, CURLOPT_WRITEDATA, &bytes);
  curl_easy_setopt(the_easy, CURLOPT_PRIVATE, &private_mark);
  curl_easy_setopt(spare, CURLOPT_URL, url);

  /* Adding a handle asks for a call at once: the timer callback gets 0,
   * with the multi handle and TIMERDATA; calls into the multi handle from
   * inside it are refused. */
  calls_before = timer_calls;
  recurse_in_timer = 1;
  recurse_in_socket = 1;
  CHECK(curl_multi_add_handle(multi, the_easy) == CURLM_OK, "add_handle");
  CHECK(timer_calls > calls_before, "add_handle called the timer callback");
  CHECK(timer_last == 0, "the timer callback got %ld, not 0", timer_last);
  CHECK(timer_multi == multi, "the timer callback's multi handle");
  CHECK(timer_userp == &timer_calls, "the timer callback's TIMERDATA");
  CHECK(timer_socket_action == CURLM_RECURSIVE_API_CALL &&
        CURLM_RECURSIVE_API_CALL == 8,
        "socket_action inside the timer callback answered %d",
        (int)timer_socket_action);
  CHECK(timer_add == CURLM_RECURSIVE_API_CALL,
        "add_handle inside the timer callback answered %d", (int)timer_add);
  CHECK(timer_setopt == CURLM_RECURSIVE_API_CALL,
        "multi_setopt inside the timer callback answered %d",
        (int)timer_setopt);
  CHECK(timer_timeout == CURLM_RECURSIVE_API_CALL,
        "multi_timeout inside the timer callback answered %d",
        (int)timer_timeout);
  CHECK(timer_info_read_null == 1,
        "info_read inside the timer callback gave a message");
  CHECK(curl_multi_add_handle(multi, the_easy) == CURLM_ADDED_ALREADY,
        "adding a handle twice");

  result = run_until_done(the_easy);
  CHECK(result == CURLE_OK, "the first transfer ended with %d", result);
  curl_easy_getinfo(the_easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(the_easy, CURLINFO_PRIVATE, &priv);
  CHECK(status == 200, "first status %ld", status);
  CHECK(bytes > 0, "the first transfer's body");
  CHECK(priv == &private_mark, "CURLINFO_PRIVATE");
  CHECK(socket_calls > 0, "the socket callback was called");
  CHECK(socket_bad_userp == 0, "the socket callback's SOCKETDATA");
  CHECK(socket_bad_easy == 0, "the socket callback's easy handle");
  CHECK(socket_bad_socketp == 0, "the socket callback's socketp");
  CHECK(socket_assign == CURLM_OK, "curl_multi_assign in the socket callback");
  CHECK(socket_socket_action == CURLM_RECURSIVE_API_CALL,
        "socket_action inside the socket callback answered %d",
        (int)socket_socket_action);
  CHECK(socket_remove == CURLM_RECURSIVE_API_CALL,
        "remove_handle inside the socket callback answered %d",
        (int)socket_remove);

  /* Removed after its message, added again: it runs again. */
  CHECK(curl_multi_remove_handle(multi, the_easy) == CURLM_OK,
        "remove after the message");
  CHECK(curl_multi_remove_handle(multi, the_easy) == CURLM_OK,
        "remove twice");
  bytes = 0;
  status = 0;
  calls_before = timer_calls;
  CHECK(curl_multi_add_handle(multi, the_easy) == CURLM_OK, "add again");
  CHECK(timer_calls > calls_before && timer_last == 0,
        "adding again called the timer callback with 0 (got %ld)", timer_last);
  result = run_until_done(the_easy);
  CHECK(result == CURLE_OK, "the second transfer ended with %d", result);
  curl_easy_getinfo(the_easy, CURLINFO_RESPONSE_CODE, &status);
  CHECK(status == 200, "second status %ld", status);
  CHECK(bytes > 0, "the second transfer's body");
  CHECK(curl_multi_remove_handle(multi, the_easy) == CURLM_OK,
        "remove after the second message");

  /* A handle still added when the multi handle goes: both are freed. */
  CHECK(curl_multi_add_handle(multi, spare) == CURLM_OK, "add the spare");
  CHECK(curl_multi_cleanup(multi) == CURLM_OK,
        "multi_cleanup with a handle added");
  curl_easy_cleanup(spare);
  curl_easy_cleanup(the_easy);
}

/* A URL without a scheme is guessed as http://, or given
 * CURLOPT_DEFAULT_PROTOCOL; the effective URL carries the scheme. */
static void scheme_guess(const char *url)
{
  const char *bare = strstr(url, "://") + 3;
  const char *protocols[] = {NULL, "http"};
  size_t i;
  for(i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
    CURL *easy = curl_easy_init();
    size_t bytes = 0;
    char *effective = NULL;
    CURLcode rc;
    curl_easy_setopt(easy, CURLOPT_URL, bare);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes);
    CHECK(curl_easy_setopt(easy, CURLOPT_DEFAULT_PROTOCOL, protocols[i]) ==
          CURLE_OK, "DEFAULT_PROTOCOL %s", protocols[i] ? protocols[i] : "NULL");
    rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
    CHECK(rc == CURLE_OK && bytes == 100, "%s without a scheme: %d, %lu bytes",
          bare, (int)rc, (unsigned long)bytes);
    CHECK(effective && !strcmp(effective, url), "effective URL %s, not %s",
          effective ? effective : "NULL", url);
    curl_easy_cleanup(easy);
  }
  {
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, bare);
    curl_easy_setopt(easy, CURLOPT_DEFAULT_PROTOCOL, "gopherx");
    CHECK(curl_easy_perform(easy) == CURLE_UNSUPPORTED_PROTOCOL,
          "an unknown DEFAULT_PROTOCOL is UNSUPPORTED_PROTOCOL");
    curl_easy_cleanup(easy);
  }
  {
    /* libcurl's effective URL of a URL without a scheme keeps its
     * credentials; one that names no host is malformed. */
    CURL *easy = curl_easy_init();
    char with_user[512], want[512];
    size_t bytes = 0;
    char *effective = NULL;
    CURLcode rc;
    snprintf(with_user, sizeof(with_user), "user:pw@%s", bare);
    snprintf(want, sizeof(want), "http://user:pw@%s", bare);
    curl_easy_setopt(easy, CURLOPT_URL, with_user);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &bytes);
    rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
    CHECK(rc == CURLE_OK && effective && !strcmp(effective, want),
          "%s: %d, effective URL %s", with_user, (int)rc,
          effective ? effective : "NULL");
    snprintf(with_user, sizeof(with_user), "//%s", bare);
    curl_easy_setopt(easy, CURLOPT_URL, with_user);
    rc = curl_easy_perform(easy);
    CHECK(rc == CURLE_URL_MALFORMAT, "%s without a scheme: %d", with_user,
          (int)rc);
    curl_easy_cleanup(easy);
  }
}

int main(int argc, char **argv)
{
  if(argc != 3) {
    fprintf(stderr, "usage: behaviour URL-OF-100-BYTES URL-OF-A-404\n");
    return 2;
  }
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK, "global_init");
  layout();
  null_handles();
  unknown_options();
  helpers();
  transfers(argv[1]);
  inside_callbacks(argv[1]);
  verbose_trace(argv[1]);
  fail_and_header_data(argv[1], argv[2]);
  scheme_guess(argv[1]);
  curl_global_cleanup();
  if(failures) {
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("ok %d checks\n", checks);
  return 0;
}
