/*
 * libcurl's promise to the write function: at most CURL_MAX_WRITE_SIZE
 * (16 KiB) of body data a call, however the data arrives (a large
 * Content-Length body, chunks, a decoded body), and a pause in the middle
 * of a large read (lifted from the program's multi loop) neither loses nor
 * repeats a byte. For each body: its
 * length, checksum and whether every call kept within the limit. Built
 * against Debian's libcurl and against Starling, the two outputs must be
 * the same (tests/write_sizes.rs).
 *
 *   write_sizes BASE-URL     (BASE-URL: the test server, http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

struct seen {
  CURL *h;
  size_t total, largest, calls;
  unsigned long long fnv;
  int pause_at, paused;
};

static size_t on_write(char *data, size_t size, size_t n, void *user)
{
  struct seen *s = user;
  size_t len = size * n, i;
  s->calls++;
  if(s->pause_at && (int)s->calls == s->pause_at && !s->paused) {
    s->paused = 1;
    return CURL_WRITEFUNC_PAUSE;
  }
  if(len > s->largest)
    s->largest = len;
  for(i = 0; i < len; i++) {
    s->fnv ^= (unsigned char)data[i];
    s->fnv *= 0x100000001b3ULL;
  }
  s->total += len;
  return len;
}

/* Runs the transfer on a multi handle, lifting the write function's pause
   from the loop; at most 30 seconds. */
static CURLcode run(struct seen *s)
{
  CURLM *m = curl_multi_init();
  CURLMsg *msg;
  CURLcode rc = CURLE_OPERATION_TIMEDOUT;
  int running = 1, left, rounds;
  curl_multi_add_handle(m, s->h);
  for(rounds = 0; running && rounds < 3000; rounds++) {
    curl_multi_perform(m, &running);
    if(s->paused == 1) {
      s->paused = 2;
      curl_easy_pause(s->h, CURLPAUSE_CONT);
    }
    if(running)
      curl_multi_poll(m, NULL, 0, 10, NULL);
  }
  while((msg = curl_multi_info_read(m, &left)))
    if(msg->msg == CURLMSG_DONE)
      rc = msg->data.result;
  curl_multi_remove_handle(m, s->h);
  curl_multi_cleanup(m);
  return rc;
}

static void body(const char *base, const char *path, int decode, int pause_at)
{
  char url[512];
  struct seen s;
  CURLcode rc;
  memset(&s, 0, sizeof s);
  s.fnv = 0xcbf29ce484222325ULL;
  s.pause_at = pause_at;
  s.h = curl_easy_init();
  snprintf(url, sizeof url, "%s%s", base, path);
  curl_easy_setopt(s.h, CURLOPT_URL, url);
  curl_easy_setopt(s.h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(s.h, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(s.h, CURLOPT_TIMEOUT, 30L);
  if(decode)
    curl_easy_setopt(s.h, CURLOPT_ACCEPT_ENCODING, "");
  rc = run(&s);
  printf("%s%s%s: rc %d, %lu bytes, fnv %016llx, every call within %d: %s, paused %d\n", path,
         decode ? " decoded" : "", pause_at ? " with a pause" : "", (int)rc, (unsigned long)s.total,
         s.fnv, CURL_MAX_WRITE_SIZE, s.largest <= CURL_MAX_WRITE_SIZE ? "yes" : "no", s.paused);
  curl_easy_cleanup(s.h);
}

int main(int argc, char **argv)
{
  if(argc != 2) {
    fprintf(stderr, "usage: write_sizes BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  body(argv[1], "/bytes/1000000?seed=1", 0, 0);
  body(argv[1], "/chunked/1000000?seed=2", 0, 0);
  body(argv[1], "/encoded/gzip/1000000?seed=3", 1, 0);
  body(argv[1], "/encoded/gzip/1000000?seed=3", 0, 0);
  body(argv[1], "/bytes/1000000?seed=4", 0, 3);
  body(argv[1], "/encoded/gzip/1000000?seed=5", 1, 5);
  curl_global_cleanup();
  return 0;
}
