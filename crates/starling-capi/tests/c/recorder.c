/*
 * The callback recorder: a libcurl multi_socket program on a raw epoll +
 * timerfd loop that writes down, one line each, everything the library
 * tells it and everything it tells the library. Built twice by
 * tests/recorder.rs, once against Debian's libcurl and once against
 * Starling, it runs the same script on both so the two records can be
 * compared.
 *
 *   recorder [-L] [-c] STEP...
 *
 *   -L          follow redirects (CURLOPT_FOLLOWLOCATION)
 *   -2          HTTP/2 with prior knowledge (CURLOPT_HTTP_VERSION)
 *   -w          wait for a connection that may multiplex (CURLOPT_PIPEWAIT)
 *   -c          cancel the timer whenever the running count drops to zero
 *               (as programs that count their own transfers do)
 *   -m N        CURLMOPT_MAX_HOST_CONNECTIONS N
 *   add:URL     add a transfer (numbered 1, 2, ... in order of adding)
 *   run         run the loop until nothing is watched and no timer is
 *               armed (the way libuv and libevent loops end), at most
 *               10 seconds
 *   chain:URL   while running, each finished transfer's handle is reset
 *               to URL and added again from inside the message loop, up
 *               to the number given by "chains:N" (default 0)
 *   sleep:MS    wait MS milliseconds outside the loop
 *
 * Record lines:
 *   add K                       curl_multi_add_handle of transfer K
 *   timer MS                    the timer callback (-1, 0 or MS)
 *   socket K FD WHAT            the socket callback (K 0 for no transfer)
 *   action FD|timeout EVENTS = N  a socket_action call and its count
 *   done K CODE STATUS          a CURLMSG_DONE read from the queue
 *   progress K                  the first progress callback of transfer K
 *   exit idle|bound             how the loop ended
 * FD is the descriptor number; tests/recorder.rs renames them s1, s2, ...
 * in order of appearance.
 */
#include <curl/curl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRANSFERS 64
#define MAX_FDS 1024

static CURLM *multi;
static int epfd, tfd;
static int follow, cancel_at_zero, h2, pipewait;
static int timer_armed;
static int watched[MAX_FDS];
static int watched_count;
static int running, last_running;
static int next_id = 1;
static const char *chain_url;
static int chains_left;
static int progressed[MAX_TRANSFERS + 1];

static size_t discard(char *ptr, size_t size, size_t nmemb, void *data)
{
  (void)ptr;
  (void)data;
  return size * nmemb;
}

static int xferinfo(void *p, curl_off_t dltotal, curl_off_t dlnow,
                    curl_off_t ultotal, curl_off_t ulnow)
{
  long id = (long)p;
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  if(id > 0 && id <= MAX_TRANSFERS && !progressed[id]) {
    progressed[id] = 1;
    printf("progress %ld\n", id);
  }
  return 0;
}

static long id_of(CURL *easy)
{
  char *p = NULL;
  if(!easy)
    return 0;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &p);
  return (long)(p - (char *)0);
}

static void arm(long ms)
{
  struct itimerspec its;
  memset(&its, 0, sizeof(its));
  if(ms >= 0) {
    /* 0 would disarm a timerfd: fire after a nanosecond instead. */
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000 + (ms == 0);
  }
  timerfd_settime(tfd, 0, &its, NULL);
  timer_armed = ms >= 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
  (void)m;
  (void)userp;
  printf("timer %ld\n", timeout_ms);
  arm(timeout_ms);
  return 0;
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  static const char *names[] = {"NONE", "IN", "OUT", "INOUT", "REMOVE"};
  struct epoll_event ev;
  (void)userp;
  (void)socketp;
  printf("socket %ld %d %s\n", id_of(easy), (int)s,
         what >= 0 && what <= 4 ? names[what] : "?");
  if(s < 0 || s >= MAX_FDS)
    return -1;
  memset(&ev, 0, sizeof(ev));
  ev.data.fd = s;
  if(what == CURL_POLL_REMOVE) {
    if(watched[s]) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
      watched[s] = 0;
      watched_count--;
    }
    return 0;
  }
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
              (what & CURL_POLL_OUT ? EPOLLOUT : 0);
  if(watched[s]) {
    epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev);
  }
  else {
    epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
    watched[s] = 1;
    watched_count++;
  }
  return 0;
}

static CURL *make(const char *url, long id)
{
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)0 + id);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, xferinfo);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, (char *)0 + id);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, (long)follow);
  if(h2)
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                     (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  if(pipewait)
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  return easy;
}

static void add(CURL *easy, long id)
{
  printf("add %ld\n", id);
  curl_multi_add_handle(multi, easy);
}

static void read_messages(void)
{
  CURLMsg *msg;
  int left;
  while((msg = curl_multi_info_read(multi, &left))) {
    CURL *easy = msg->easy_handle;
    long status = 0;
    long id = id_of(easy);
    if(msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    printf("done %ld %d %ld\n", id, (int)msg->data.result, status);
    curl_multi_remove_handle(multi, easy);
    if(chain_url && chains_left > 0) {
      chains_left--;
      id = next_id++;
      curl_easy_setopt(easy, CURLOPT_URL, chain_url);
      curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)0 + id);
      curl_easy_setopt(easy, CURLOPT_XFERINFODATA, (char *)0 + id);
      add(easy, id);
    }
    else {
      curl_easy_cleanup(easy);
    }
  }
}

static void action(curl_socket_t s, int events)
{
  if(s == CURL_SOCKET_TIMEOUT)
    printf("action timeout\n");
  else
    printf("action %d %s%s\n", (int)s, events & CURL_CSELECT_IN ? "IN" : "",
           events & CURL_CSELECT_OUT ? "OUT" : "");
  curl_multi_socket_action(multi, s, events, &running);
  printf("= %d\n", running);
  /* Read messages every time, as libcurl's examples do. */
  read_messages();
  if(cancel_at_zero && running == 0 && last_running != 0 && timer_armed) {
    printf("cancel\n");
    arm(-1);
  }
  last_running = running;
}

static double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void run(void)
{
  double end = now_ms() + 10000;
  while(watched_count > 0 || timer_armed) {
    struct epoll_event evs[16];
    int n, i;
    if(now_ms() > end) {
      printf("exit bound\n");
      return;
    }
    n = epoll_wait(epfd, evs, 16, 100);
    for(i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if(fd == tfd) {
        uint64_t count;
        if(read(tfd, &count, sizeof(count)) > 0) {
          timer_armed = 0;
          action(CURL_SOCKET_TIMEOUT, 0);
        }
      }
      else if(fd >= 0 && fd < MAX_FDS && watched[fd]) {
        int ev = (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR) ?
                  CURL_CSELECT_IN : 0) |
                 (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0);
        action(fd, ev);
      }
    }
  }
  printf("exit idle\n");
}

int main(int argc, char **argv)
{
  struct epoll_event ev;
  int i;
  setvbuf(stdout, NULL, _IOLBF, 0);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  epfd = epoll_create1(0);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = tfd;
  epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
  for(i = 1; i < argc; i++) {
    const char *a = argv[i];
    if(!strcmp(a, "-L"))
      follow = 1;
    else if(!strcmp(a, "-2"))
      h2 = 1;
    else if(!strcmp(a, "-w"))
      pipewait = 1;
    else if(!strcmp(a, "-c"))
      cancel_at_zero = 1;
    else if(!strcmp(a, "-m") && i + 1 < argc)
      curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                        atol(argv[++i]));
    else if(!strncmp(a, "add:", 4)) {
      long id = next_id++;
      add(make(a + 4, id), id);
    }
    else if(!strncmp(a, "chain:", 6))
      chain_url = a + 6;
    else if(!strncmp(a, "chains:", 7))
      chains_left = atoi(a + 7);
    else if(!strncmp(a, "sleep:", 6))
      usleep((useconds_t)atoi(a + 6) * 1000);
    else if(!strcmp(a, "run"))
      run();
    else {
      fprintf(stderr, "unknown step %s\n", a);
      return 2;
    }
  }
  printf("cleanup\n");
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  close(tfd);
  close(epfd);
  return 0;
}
