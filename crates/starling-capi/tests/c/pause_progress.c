/*
 * Pausing from the write callback and going on from the progress
 * callback inside curl_easy_perform (the pattern of programs that
 * throttle their own consumer): the paused transfer's progress callback
 * is called while it is paused, its curl_easy_pause(CURLPAUSE_CONT) lifts
 * the pause, and the whole body arrives, the data held back first. Built
 * against Debian's libcurl and against Starling, the outputs must be the
 * same (tests/pause_progress.rs).
 *
 * With "multi", the same in a multi handle driven by curl_multi_perform
 * and curl_multi_poll, whose loop gives every transfer it runs, paused or
 * not, a progress call.
 *
 * usage: pause_progress URL LENGTH [multi]
 */
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>

struct state {
  CURL *easy;
  size_t received;
  int pauses;      /* times the write callback paused */
  int paused;      /* paused now */
  int resumed;     /* resumed from the progress callback */
  int calls_paused; /* progress calls while paused */
};

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
  struct state *s = userp;
  (void)data;
  /* Pause at the first and the third piece, taking nothing. */
  if(!s->paused && (s->pauses == 0 || (s->pauses == 1 && s->received > 30000))) {
    s->pauses++;
    s->paused = 1;
    return CURL_WRITEFUNC_PAUSE;
  }
  s->received += size * n;
  return size * n;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
  struct state *s = userp;
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  if(s->paused) {
    s->calls_paused++;
    s->paused = 0;
    s->resumed++;
    curl_easy_pause(s->easy, CURLPAUSE_CONT);
  }
  return 0;
}

int main(int argc, char **argv)
{
  struct state s = {0};
  CURLcode rc;
  if(argc != 3 && argc != 4) {
    fprintf(stderr, "usage: pause_progress URL LENGTH [multi]\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  s.easy = curl_easy_init();
  curl_easy_setopt(s.easy, CURLOPT_URL, argv[1]);
  curl_easy_setopt(s.easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(s.easy, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(s.easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(s.easy, CURLOPT_XFERINFODATA, &s);
  curl_easy_setopt(s.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(s.easy, CURLOPT_TIMEOUT, 20L);
  if(argc == 4) {
    CURLM *multi = curl_multi_init();
    CURLMsg *msg;
    int running = 1, left, turns = 0;
    rc = CURLE_OPERATION_TIMEDOUT;
    curl_multi_add_handle(multi, s.easy);
    while(running && turns++ < 400) {
      curl_multi_perform(multi, &running);
      curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    while((msg = curl_multi_info_read(multi, &left)))
      if(msg->msg == CURLMSG_DONE)
        rc = msg->data.result;
    curl_multi_remove_handle(multi, s.easy);
    curl_multi_cleanup(multi);
  }
  else
    rc = curl_easy_perform(s.easy);
  printf("result %d\n", (int)rc);
  printf("whole body: %s\n",
         s.received == (size_t)atol(argv[2]) ? "yes" : "no");
  printf("pauses %d, resumed from the progress callback %d, "
         "progress calls while paused %s\n",
         s.pauses, s.resumed, s.calls_paused >= s.pauses ? "enough" : "few");
  curl_easy_cleanup(s.easy);
  curl_global_cleanup();
  return 0;
}
