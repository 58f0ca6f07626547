/*
 * CURLOPT_PREREQFUNCTION: when it is called (each request, after the
 * connection is made or reused, before anything is sent), with what
 * (the connection's addresses), and what an abort does (the result, the
 * error text, the response code, whether the connection is used again).
 * Built against Debian's libcurl and against Starling, the outputs must
 * be the same (tests/prereq.rs).
 *
 * usage: prereq BASE-URL (http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct state {
  int calls;
  int abort_at; /* the call that aborts (1: the first), 0: none */
  int server_port;
  int sent; /* request heads sent so far, seen by the debug callback */
};

static int on_prereq(void *userp, char *primary_ip, char *local_ip,
                     int primary_port, int local_port)
{
  struct state *s = userp;
  s->calls++;
  printf("  prereq %d: %s -> %s, server port %s, local port %s, "
         "heads sent before %d\n",
         s->calls, local_ip, primary_ip,
         primary_port == s->server_port ? "right" : "WRONG",
         local_port > 0 && local_port != primary_port ? "set" : "WRONG",
         s->sent);
  return s->calls == s->abort_at ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  struct state *s = userp;
  (void)easy;
  (void)size;
  if(type == CURLINFO_HEADER_OUT && !strncmp(data, "GET", 3))
    s->sent++;
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static void run(CURL *easy, const char *title, const char *base,
                const char *path, int abort_at)
{
  struct state s = {0, abort_at, 0, 0};
  char url[512], error[CURL_ERROR_SIZE] = "";
  const char *colon = strrchr(base, ':');
  long code = -1, connects = -1;
  CURLcode result;
  s.server_port = colon ? atoi(colon + 1) : 0;
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  /* abort_at -1: the function set to NULL, the calls stop. */
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION,
                   abort_at < 0 ? NULL : on_prereq);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, &s);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_DEBUGDATA, &s);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  printf("%s\n", title);
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  printf("  result %d, code %ld, new connections %ld, heads sent %d\n",
         (int)result, code, connects, s.sent);
  if(result)
    printf("  error: %s\n", error);
}

int main(int argc, char **argv)
{
  CURL *easy;
  if(argc != 2) {
    fprintf(stderr, "usage: prereq BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  run(easy, "one request", argv[1], "/bytes/3", 0);
  run(easy, "again, on the same connection", argv[1], "/bytes/3", 0);
  run(easy, "a redirect followed", argv[1],
      "/redirect/302?to=%2Fbytes%2F3", 0);
  run(easy, "aborted", argv[1], "/bytes/3", 1);
  run(easy, "after the abort", argv[1], "/bytes/3", 0);
  run(easy, "aborted at the redirect", argv[1],
      "/redirect/302?to=%2Fbytes%2F3", 2);
  run(easy, "after that", argv[1], "/bytes/3", 0);
  run(easy, "no function", argv[1], "/bytes/3", -1);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
