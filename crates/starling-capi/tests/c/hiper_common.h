/*
 * What the hiper_*.c programs share, apart from their event library: the
 * transfers (one easy handle per URL, following redirects, counting body
 * bytes), the message loop (libcurl's check_multi_info), and URL lines read
 * from standard input. Each program is otherwise written the way libcurl's
 * examples for its event library are (hiperfifo.c, evhiperfifo.c,
 * multi-uv.c, ghiper.c, ephiperfifo.c).
 *
 *   hiper_LIB URL...      and more URLs, one per line, on standard input
 *
 * Prints "done URL CODE STATUS BYTES" for each finished transfer, and
 * "exit" when its loop ended by itself: stdin at its end, no socket
 * watched, no timer pending.
 */
#ifndef HIPER_COMMON_H
#define HIPER_COMMON_H

#include <curl/curl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xfer {
  CURL *easy;
  char *url;
  curl_off_t bytes;
  char error[CURL_ERROR_SIZE];
};

static inline size_t hiper_write(char *ptr, size_t size, size_t nmemb, void *data)
{
  struct xfer *x = (struct xfer *)data;
  (void)ptr;
  x->bytes += (curl_off_t)(size * nmemb);
  return size * nmemb;
}

static inline void hiper_die(const char *what)
{
  fprintf(stderr, "%s\n", what);
  exit(2);
}

/* Adds a transfer for url; the program's own count of running ones grows. */
static inline void hiper_add(CURLM *multi, const char *url, int *own_running)
{
  struct xfer *x = (struct xfer *)calloc(1, sizeof(*x));
  CURLMcode rc;
  if(!x)
    hiper_die("out of memory");
  x->url = strdup(url);
  x->easy = curl_easy_init();
  if(!x->url || !x->easy)
    hiper_die("curl_easy_init failed");
  curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
  curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, hiper_write);
  curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
  curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->error);
  curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 1L);
  rc = curl_multi_add_handle(multi, x->easy);
  if(rc != CURLM_OK)
    hiper_die(curl_multi_strerror(rc));
  (*own_running)++;
}

/* libcurl's check_multi_info: one line per finished transfer. */
static inline void hiper_check_multi_info(CURLM *multi)
{
  CURLMsg *msg;
  int left;
  while((msg = curl_multi_info_read(multi, &left))) {
    struct xfer *x = NULL;
    long status = 0;
    if(msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    printf("done %s %d %ld %ld\n", x->url, (int)msg->data.result, status,
           (long)x->bytes);
    fflush(stdout);
    curl_multi_remove_handle(multi, x->easy);
    curl_easy_cleanup(x->easy);
    free(x->url);
    free(x);
  }
}

/* Standard input, read as it becomes readable: whole lines are URLs. */
struct hiper_lines {
  char buf[4096];
  size_t len;
};

/* Reads what stdin has; adds a transfer per complete line. Returns 0 at
 * the end of input (or an error), 1 otherwise. */
static inline int hiper_read_stdin(struct hiper_lines *in, CURLM *multi,
                            int *own_running)
{
  ssize_t n = read(STDIN_FILENO, in->buf + in->len,
                   sizeof(in->buf) - 1 - in->len);
  char *start, *nl;
  if(n < 0 && (errno == EAGAIN || errno == EINTR))
    return 1;
  if(n <= 0)
    return 0;
  in->len += (size_t)n;
  in->buf[in->len] = '\0';
  start = in->buf;
  while((nl = strchr(start, '\n'))) {
    *nl = '\0';
    if(*start)
      hiper_add(multi, start, own_running);
    start = nl + 1;
  }
  in->len -= (size_t)(start - in->buf);
  memmove(in->buf, start, in->len);
  if(in->len == sizeof(in->buf) - 1)
    hiper_die("line too long");
  return 1;
}

/* The CURL_CSELECT_* bits of a readiness. */
static inline int hiper_cselect(int readable, int writable)
{
  return (readable ? CURL_CSELECT_IN : 0) | (writable ? CURL_CSELECT_OUT : 0);
}

#endif
