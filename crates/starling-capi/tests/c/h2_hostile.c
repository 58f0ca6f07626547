/*
 * One case of the HTTP/2 hostile-server catalogue through a multi handle
 * (tests/h2_hostile.rs): GOOD and BAD share a connection (prior
 * knowledge, PIPEWAIT, GOOD added first), FAR goes to another server;
 * once all three ended, NEXT (unless "-") goes to BAD's server on the
 * same multi handle. Prints how each ended: its CURLcode and the body
 * bytes it took, and for NEXT the connections it opened. A transfer
 * still running after 30 s is printed as "running". GOOD, FAR and NEXT
 * time out after 5 s (libcurl 7.88.1 leaves some to their timeout).
 *
 * usage: h2_hostile GOOD BAD FAR NEXT|- plain|paused|upload TIMEOUT_MS [CAFILE]
 *   with CAFILE: HTTPS URLs, CURL_HTTP_VERSION_2TLS, CAINFO; without it,
 *   prior knowledge
 *   paused: BAD's write callback takes the first piece, then pauses
 *   upload: BAD is a POST of 200,000 bytes
 * With H2_HOSTILE_VERBOSE set in the environment, every transfer is
 * verbose.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

struct got {
  const char *name;
  long bytes;
  int pause_after_first;
  int done;
  int code;
};

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  struct got *g = userp;
  (void)p;
  if(g->pause_after_first && g->bytes > 0)
    return CURL_WRITEFUNC_PAUSE;
  g->bytes += (long)(size * n);
  return size * n;
}

static const char *cafile;

static CURL *handle(const char *url, struct got *g, long timeout_ms)
{
  CURL *e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  if(cafile) {
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_CAINFO, cafile);
  }
  else
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, g);
  curl_easy_setopt(e, CURLOPT_PRIVATE, g);
  if(getenv("H2_HOSTILE_VERBOSE"))
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  return e;
}

/* Runs the multi handle until nothing runs or 30 s passed. */
static void run(CURLM *m)
{
  int running = 1;
  int turns = 0;
  CURLMsg *msg;
  int left;
  while(running && turns < 300) {
    curl_multi_perform(m, &running);
    while((msg = curl_multi_info_read(m, &left))) {
      struct got *g = NULL;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&g);
      if(msg->msg == CURLMSG_DONE && g) {
        g->done = 1;
        g->code = (int)msg->data.result;
      }
    }
    if(running) {
      curl_multi_poll(m, NULL, 0, 100, NULL);
      turns++;
    }
  }
}

static void show(const struct got *g, int with_bytes)
{
  if(!g->done)
    printf("%s running\n", g->name);
  else if(with_bytes)
    printf("%s %d bytes %ld\n", g->name, g->code, g->bytes);
  else
    printf("%s %d\n", g->name, g->code);
}

int main(int argc, char **argv)
{
  static char upload[200000];
  struct got good = {"good", 0, 0, 0, 0};
  struct got bad = {"bad", 0, 0, 0, 0};
  struct got far = {"far", 0, 0, 0, 0};
  struct got next = {"next", 0, 0, 0, 0};
  CURL *e[4];
  CURLM *m;
  long connects = -1;
  int i;
  if(argc != 7 && argc != 8) {
    fprintf(stderr, "usage: h2_hostile GOOD BAD FAR NEXT|- plain|paused|upload TIMEOUT_MS [CAFILE]\n");
    return 2;
  }
  if(argc == 8)
    cafile = argv[7];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  m = curl_multi_init();
  e[0] = handle(argv[1], &good, 5000L);
  e[1] = handle(argv[2], &bad, atol(argv[6]));
  e[2] = handle(argv[3], &far, 5000L);
  if(!strcmp(argv[5], "paused"))
    bad.pause_after_first = 1;
  if(!strcmp(argv[5], "upload")) {
    memset(upload, 'u', sizeof(upload));
    curl_easy_setopt(e[1], CURLOPT_POSTFIELDSIZE, (long)sizeof(upload));
    curl_easy_setopt(e[1], CURLOPT_POSTFIELDS, upload);
  }
  for(i = 0; i < 3; i++)
    curl_multi_add_handle(m, e[i]);
  run(m);
  show(&good, 1);
  show(&bad, 0);
  show(&far, 1);
  for(i = 0; i < 3; i++) {
    curl_multi_remove_handle(m, e[i]);
    curl_easy_cleanup(e[i]);
  }
  if(strcmp(argv[4], "-")) {
    e[3] = handle(argv[4], &next, 5000L);
    curl_multi_add_handle(m, e[3]);
    run(m);
    curl_easy_getinfo(e[3], CURLINFO_NUM_CONNECTS, &connects);
    show(&next, 1);
    printf("next connects %ld\n", connects);
    curl_multi_remove_handle(m, e[3]);
    curl_easy_cleanup(e[3]);
  }
  curl_multi_cleanup(m);
  curl_global_cleanup();
  return 0;
}
