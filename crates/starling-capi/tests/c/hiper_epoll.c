/*
 * The multi_socket API on raw epoll + timerfd, in the style of libcurl's
 * ephiperfifo.c. See hiper_common.h for what it does.
 */
#include "hiper_common.h"

#include <sys/epoll.h>
#include <sys/timerfd.h>

struct global {
  CURLM *multi;
  int epfd;
  int tfd;
  int timer_armed;
  int watched;       /* sockets registered for libcurl */
  int still_running; /* as curl_multi_socket_action says */
  int own_running;   /* the program's own count */
  int stdin_open;
  struct hiper_lines in;
};

static void arm(struct global *g, long ms)
{
  struct itimerspec its;
  memset(&its, 0, sizeof(its));
  if(ms > 0) {
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000;
  }
  else if(ms == 0) {
    its.it_value.tv_nsec = 1; /* as soon as possible: 0 would disarm */
  }
  timerfd_settime(g->tfd, 0, &its, NULL);
  g->timer_armed = ms >= 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  (void)multi;
  arm((struct global *)userp, timeout_ms);
  return 0;
}

/* After every call into libcurl: messages, and the program's own count. */
static void after_action(struct global *g)
{
  hiper_check_multi_info(g->multi);
  if(g->still_running < g->own_running) {
    g->own_running = g->still_running;
    if(g->own_running == 0 && g->timer_armed)
      arm(g, -1); /* nothing of ours runs: cancel the timer */
  }
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  struct global *g = (struct global *)cbp;
  struct epoll_event ev;
  (void)e;
  if(what == CURL_POLL_REMOVE) {
    if(sockp) {
      epoll_ctl(g->epfd, EPOLL_CTL_DEL, s, NULL);
      g->watched--;
    }
    return 0;
  }
  memset(&ev, 0, sizeof(ev));
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
              (what & CURL_POLL_OUT ? EPOLLOUT : 0);
  ev.data.fd = s;
  if(sockp) {
    epoll_ctl(g->epfd, EPOLL_CTL_MOD, s, &ev);
  }
  else {
    epoll_ctl(g->epfd, EPOLL_CTL_ADD, s, &ev);
    curl_multi_assign(g->multi, s, g); /* any non-NULL mark: registered */
    g->watched++;
  }
  return 0;
}

int main(int argc, char **argv)
{
  struct global g;
  struct epoll_event ev;
  int i;
  memset(&g, 0, sizeof(g));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g.multi = curl_multi_init();
  g.epfd = epoll_create1(EPOLL_CLOEXEC);
  g.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = g.tfd;
  epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.tfd, &ev);
  ev.data.fd = STDIN_FILENO;
  epoll_ctl(g.epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
  g.stdin_open = 1;
  for(i = 1; i < argc; i++)
    hiper_add(g.multi, argv[i], &g.own_running);
  while(g.stdin_open || g.watched > 0 || g.timer_armed) {
    struct epoll_event events[16];
    int n = epoll_wait(g.epfd, events, 16, -1);
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0)
      hiper_die("epoll_wait");
    for(i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if(fd == g.tfd) {
        uint64_t count;
        if(read(g.tfd, &count, sizeof(count)) != sizeof(count))
          continue;
        g.timer_armed = 0;
        curl_multi_socket_action(g.multi, CURL_SOCKET_TIMEOUT, 0,
                                 &g.still_running);
        after_action(&g);
      }
      else if(fd == STDIN_FILENO) {
        if(!hiper_read_stdin(&g.in, g.multi, &g.own_running)) {
          epoll_ctl(g.epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
          g.stdin_open = 0;
        }
      }
      else {
        uint32_t e = events[i].events;
        curl_multi_socket_action(g.multi, fd,
                                 hiper_cselect(e & (EPOLLIN | EPOLLHUP |
                                                    EPOLLERR),
                                               e & EPOLLOUT),
                                 &g.still_running);
        after_action(&g);
      }
    }
  }
  curl_multi_cleanup(g.multi);
  curl_global_cleanup();
  close(g.tfd);
  close(g.epfd);
  printf("exit\n");
  return 0;
}
