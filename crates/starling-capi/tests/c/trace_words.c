/*
 * The verbose trace (CURLOPT_DEBUGFUNCTION) of a run of transfers on one
 * handle, as programs that keep it show it (cmake's file(DOWNLOAD ... LOG),
 * curl -v, git's GIT_TRACE_CURL): the words libcurl says (connections kept
 * or closed, a body sent in full or ended by its terminating chunk,
 * redirects followed and the method switched, HTTP/1.0), the heads (an
 * interim head without its empty line) and how much data went each way.
 * Built against Debian's libcurl and against Starling, the two outputs
 * must be the same (tests/trace_words.rs). Date lines are left out.
 *
 *   trace_words BASE-URL     (BASE-URL: the test server, http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "body_callbacks.h"
#include "trace_lines.h"

static char big[100000];

/* One transfer on the handle: path, what sets it up. */
enum kind { GET, POST, BIG_POST, PUT_SIZED, PUT_CHUNKED };

static void transfer(CURL *h, const char *base, const char *path, enum kind kind)
{
  char url[512];
  size_t left = 2000;
  CURLcode rc;
  snprintf(url, sizeof url, "%s%s", base, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  switch(kind) {
  case GET:
    break;
  case POST:
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, -1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "a=1");
    break;
  case BIG_POST:
    memset(big, 'y', sizeof big);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)sizeof big);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, big);
    break;
  case PUT_SIZED:
  case PUT_CHUNKED:
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, produce);
    curl_easy_setopt(h, CURLOPT_READDATA, &left);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(kind == PUT_SIZED ? 2000 : -1));
    break;
  }
  printf("== %s\n", path);
  data_in = data_out = 0;
  rc = curl_easy_perform(h);
  printf("== rc %d, data in %lu, out %lu\n", (int)rc, (unsigned long)data_in, (unsigned long)data_out);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
}

int main(int argc, char **argv)
{
  CURL *h;
  if(argc != 2) {
    fprintf(stderr, "usage: trace_words BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  transfer(h, argv[1], "/bytes/10", GET);
  transfer(h, argv[1], "/bytes/70000", GET);
  transfer(h, argv[1], "/inspect", PUT_SIZED);
  transfer(h, argv[1], "/inspect", PUT_CHUNKED);
  transfer(h, argv[1], "/inspect", BIG_POST);
  transfer(h, argv[1], "/redirect/303?to=%2Fredirect%2F307%3Fto%3D%252Fbytes%252F5", POST);
  transfer(h, argv[1], "/redirect/302?to=%2Finspect", POST);
  transfer(h, argv[1], "/redirect/307?to=%2Finspect", POST);
  transfer(h, argv[1], "/redirect/300?to=%2Finspect", POST);
  transfer(h, argv[1], "/chain/2", GET);
  /* Last: the connection closes. */
  transfer(h, argv[1], "/close/10", GET);
  curl_easy_cleanup(h);
  curl_global_cleanup();
  return 0;
}
