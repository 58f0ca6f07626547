/*
 * The part the loop_*.c programs share that has nothing to do with their
 * event library: a transfer per URL, libcurl's check_multi_info, and URL
 * lines read from standard input. The rest of each program is written the
 * way libcurl's example for its event library is (ephiperfifo.c,
 * hiperfifo.c, evhiperfifo.c, multi-uv.c, ghiper.c).
 *
 *   loop_LIB URL...   and more URLs, one per line, on standard input
 *
 * Every transfer follows redirects and counts its body bytes. For each
 * finished one the program prints
 *
 *   done URL CURLCODE RESPONSE-CODE BYTES
 *
 * and, once its event loop returned by itself (standard input at its end,
 * no socket watched, no timer pending), "exit".
 */
#ifndef LOOP_COMMON_H
#define LOOP_COMMON_H

#include <curl/curl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Information associated with a specific easy handle. */
struct transfer {
  CURL *easy;
  char *url;
  curl_off_t bytes;
  char error[CURL_ERROR_SIZE];
};

static void loop_die(const char *where, const char *what)
{
  fprintf(stderr, "%s: %s\n", where, what);
  exit(2);
}

/* Dies if a curl_multi_* call failed. */
static void mcode_or_die(const char *where, CURLMcode code)
{
  if(code != CURLM_OK)
    loop_die(where, curl_multi_strerror(code));
}

/* CURLOPT_WRITEFUNCTION: counts, keeps nothing. */
static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *data)
{
  struct transfer *t = (struct transfer *)data;
  (void)ptr;
  t->bytes += (curl_off_t)(size * nmemb);
  return size * nmemb;
}

/* Creates an easy handle for url and adds it to multi. */
static void new_transfer(CURLM *multi, const char *url)
{
  struct transfer *t = (struct transfer *)calloc(1, sizeof(*t));
  if(!t)
    loop_die("new_transfer", "out of memory");
  t->url = strdup(url);
  t->easy = curl_easy_init();
  if(!t->url || !t->easy)
    loop_die("new_transfer", "curl_easy_init failed");
  curl_easy_setopt(t->easy, CURLOPT_URL, t->url);
  curl_easy_setopt(t->easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
  mcode_or_die("curl_multi_add_handle", curl_multi_add_handle(multi, t->easy));
}

/* libcurl's check_multi_info: a line for each finished transfer, whose
 * easy handle is then removed and cleaned up. */
static void check_multi_info(CURLM *multi)
{
  CURLMsg *msg;
  int msgs_left;
  while((msg = curl_multi_info_read(multi, &msgs_left))) {
    if(msg->msg == CURLMSG_DONE) {
      CURL *easy = msg->easy_handle;
      CURLcode res = msg->data.result;
      struct transfer *t = NULL;
      long code = 0;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
      printf("done %s %d %ld %ld\n", t->url, (int)res, code, (long)t->bytes);
      fflush(stdout);
      if(res != CURLE_OK)
        fprintf(stderr, "%s: %s\n", t->url, t->error);
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      free(t->url);
      free(t);
    }
  }
}

/* Standard input, read when it is readable: each whole line is a URL. */
struct url_lines {
  char buf[8192];
  size_t len;
};

/* One read(2) of fd; adds a transfer for each complete line. Returns 1,
 * or 0 at the end of input (or on an error). */
static int read_url_lines(int fd, struct url_lines *in, CURLM *multi,
                          int *running)
{
  ssize_t n = read(fd, in->buf + in->len, sizeof(in->buf) - 1 - in->len);
  char *line, *nl;
  if(n < 0 && (errno == EAGAIN || errno == EINTR))
    return 1;
  if(n <= 0)
    return 0;
  in->len += (size_t)n;
  in->buf[in->len] = '\0';
  line = in->buf;
  while((nl = strchr(line, '\n'))) {
    *nl = '\0';
    if(*line) {
      new_transfer(multi, line);
      (*running)++;
    }
    line = nl + 1;
  }
  in->len -= (size_t)(line - in->buf);
  memmove(in->buf, line, in->len);
  if(in->len == sizeof(in->buf) - 1)
    loop_die("read_url_lines", "line too long");
  return 1;
}

#endif
