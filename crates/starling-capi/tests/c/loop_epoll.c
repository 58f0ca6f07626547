/*
 * The multi_socket API on raw epoll and a timerfd, in the style of
 * libcurl's ephiperfifo.c: one epoll set for the sockets libcurl asks
 * for, the timerfd and standard input. The loop runs while anything is
 * registered: standard input until its end, a socket, an armed timer.
 * See loop_common.h for what the program does.
 */
#include "loop_common.h"

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

/* Global information, common to all connections */
typedef struct _GlobalInfo {
  int epfd;        /* epoll filedescriptor */
  int tfd;         /* timer filedescriptor */
  int timer_armed;
  CURLM *multi;
  int still_running;
  int running;     /* our own count of running transfers */
  int watched;     /* sockets in the epoll set */
  int stdin_open;
  struct url_lines in;
} GlobalInfo;

/* Information associated with a specific socket */
typedef struct _SockInfo {
  curl_socket_t sockfd;
  CURL *easy;
  int action;
  GlobalInfo *global;
} SockInfo;

static void disarm_timer(GlobalInfo *g)
{
  struct itimerspec its;
  memset(&its, 0, sizeof(its));
  timerfd_settime(g->tfd, 0, &its, NULL);
  g->timer_armed = 0;
}

/* Update the timer after curl_multi library calls */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
  GlobalInfo *g = (GlobalInfo *)userp;
  struct itimerspec its;
  (void)multi;

  memset(&its, 0, sizeof(its));
  if(timeout_ms > 0) {
    its.it_value.tv_sec = timeout_ms / 1000;
    its.it_value.tv_nsec = (timeout_ms % 1000) * 1000 * 1000;
  }
  else if(timeout_ms == 0) {
    /* libcurl wants us to timeout now, however setting both fields of
     * new_value.it_value to zero disarms the timer. The closest we can
     * do is to schedule the timer to fire in 1 ns. */
    its.it_value.tv_nsec = 1;
  }
  else {
    disarm_timer(g);
    return 0;
  }
  if(timerfd_settime(g->tfd, 0, &its, NULL) == -1) {
    perror("timerfd_settime");
    exit(1);
  }
  g->timer_armed = 1;
  return 0;
}

/* After every curl_multi_socket_action: the finished transfers, and no
 * timer once our count of running transfers dropped to zero. */
static void after_action(GlobalInfo *g)
{
  check_multi_info(g->multi);
  if(g->running > 0 && g->still_running <= 0)
    disarm_timer(g); /* last transfer done, kill timeout */
  g->running = g->still_running;
}

/* Called by the main loop when we get action on a multi socket filedescriptor */
static void event_cb(GlobalInfo *g, int fd, int revents)
{
  CURLMcode rc;
  int action = ((revents & EPOLLIN) ? CURL_CSELECT_IN : 0) |
               ((revents & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
               ((revents & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);

  rc = curl_multi_socket_action(g->multi, fd, action, &g->still_running);
  mcode_or_die("event_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Called by the main loop when our timeout expires */
static void timer_cb(GlobalInfo *g)
{
  CURLMcode rc;
  uint64_t count = 0;
  ssize_t err = read(g->tfd, &count, sizeof(uint64_t));
  if(err == -1) {
    /* The timer was disarmed or set again since epoll reported it. */
    if(errno == EAGAIN)
      return;
    perror("read(tfd)");
    exit(1);
  }
  g->timer_armed = 0;

  rc = curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0,
                                &g->still_running);
  mcode_or_die("timer_cb: curl_multi_socket_action", rc);
  after_action(g);
}

/* Clean up the SockInfo structure */
static void remsock(SockInfo *f, GlobalInfo *g)
{
  if(f) {
    if(epoll_ctl(g->epfd, EPOLL_CTL_DEL, f->sockfd, NULL))
      perror("EPOLL_CTL_DEL");
    g->watched--;
    free(f);
  }
}

/* Assign information to a SockInfo structure */
static void setsock(SockInfo *f, curl_socket_t s, CURL *e, int act,
                    GlobalInfo *g)
{
  struct epoll_event ev;
  int op = f->sockfd == CURL_SOCKET_BAD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;

  memset(&ev, 0, sizeof(ev));
  ev.events = ((act & CURL_POLL_IN) ? EPOLLIN : 0) |
              ((act & CURL_POLL_OUT) ? EPOLLOUT : 0);
  ev.data.fd = s;

  f->sockfd = s;
  f->action = act;
  f->easy = e;
  if(epoll_ctl(g->epfd, op, s, &ev)) {
    perror("epoll_ctl");
    exit(1);
  }
}

/* Initialize a new SockInfo structure */
static void addsock(curl_socket_t s, CURL *easy, int action, GlobalInfo *g)
{
  SockInfo *fdp = (SockInfo *)calloc(1, sizeof(SockInfo));
  if(!fdp)
    loop_die("addsock", "out of memory");
  fdp->global = g;
  fdp->sockfd = CURL_SOCKET_BAD;
  setsock(fdp, s, easy, action, g);
  g->watched++;
  curl_multi_assign(g->multi, s, fdp);
}

/* CURLMOPT_SOCKETFUNCTION */
static int sock_cb(CURL *e, curl_socket_t s, int what, void *cbp, void *sockp)
{
  GlobalInfo *g = (GlobalInfo *)cbp;
  SockInfo *fdp = (SockInfo *)sockp;

  if(what == CURL_POLL_REMOVE) {
    remsock(fdp, g);
  }
  else {
    if(!fdp)
      addsock(s, e, what, g);
    else
      setsock(fdp, s, e, what, g);
  }
  return 0;
}

/* Called by the main loop when standard input is readable */
static void stdin_cb(GlobalInfo *g)
{
  if(read_url_lines(STDIN_FILENO, &g->in, g->multi, &g->running))
    return;
  /* At its end: stop watching it. */
  epoll_ctl(g->epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
  g->stdin_open = 0;
}

int main(int argc, char **argv)
{
  GlobalInfo g;
  struct epoll_event ev;
  struct epoll_event events[10];
  int i;

  memset(&g, 0, sizeof(GlobalInfo));
  curl_global_init(CURL_GLOBAL_DEFAULT);

  g.epfd = epoll_create1(EPOLL_CLOEXEC);
  if(g.epfd == -1) {
    perror("epoll_create1 failed");
    return 1;
  }

  g.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if(g.tfd == -1) {
    perror("timerfd_create failed");
    return 1;
  }
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = g.tfd;
  epoll_ctl(g.epfd, EPOLL_CTL_ADD, g.tfd, &ev);

  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.fd = STDIN_FILENO;
  if(epoll_ctl(g.epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev)) {
    perror("epoll_ctl(stdin)");
    return 1;
  }
  g.stdin_open = 1;

  g.multi = curl_multi_init();

  /* setup the generic multi interface options we want */
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
  curl_multi_setopt(g.multi, CURLMOPT_SOCKETDATA, &g);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
  curl_multi_setopt(g.multi, CURLMOPT_TIMERDATA, &g);

  for(i = 1; i < argc; i++) {
    new_transfer(g.multi, argv[i]);
    g.running++;
  }

  /* The timerfd stays in the set; it counts only while armed. */
  while(g.stdin_open || g.watched > 0 || g.timer_armed) {
    int idx;
    int n = epoll_wait(g.epfd, events,
                       sizeof(events) / sizeof(struct epoll_event), -1);
    if(n == -1) {
      if(errno == EINTR)
        continue;
      perror("epoll_wait");
      return 1;
    }
    for(idx = 0; idx < n; ++idx) {
      if(events[idx].data.fd == g.tfd)
        timer_cb(&g);
      else if(events[idx].data.fd == STDIN_FILENO)
        stdin_cb(&g);
      else
        event_cb(&g, events[idx].data.fd, (int)events[idx].events);
    }
  }

  curl_multi_cleanup(g.multi);
  close(g.tfd);
  close(g.epfd);
  curl_global_cleanup();
  printf("exit\n");
  return 0;
}
