/*
 * A multi_socket client as programs write them for libcurl: epoll for the
 * sockets, a timerfd for the one timer, the socket and timer callbacks,
 * curl_multi_assign for per-socket data. Fetches every URL given on the
 * command line, 50 transfers at a time; prints "code status bytes url" per
 * transfer and exits 0 when all succeeded with status 200.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <curl/curl.h>

struct transfer {
  size_t bytes;
  char *url;
};

struct socket_data {
  int fd;
  int registered;
};

static int epfd;
static int tfd;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct transfer *t = userdata;
  (void)ptr;
  t->bytes += size * nmemb;
  return size * nmemb;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp,
                     void *socketp)
{
  CURLM *multi = userp;
  struct socket_data *sd = socketp;
  struct epoll_event ev;
  (void)easy;
  if(what == CURL_POLL_REMOVE) {
    if(sd) {
      epoll_ctl(epfd, EPOLL_CTL_DEL, s, NULL);
      free(sd);
      curl_multi_assign(multi, s, NULL);
    }
    return 0;
  }
  memset(&ev, 0, sizeof(ev));
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
              (what & CURL_POLL_OUT ? EPOLLOUT : 0);
  ev.data.fd = s;
  if(!sd) {
    sd = calloc(1, sizeof(*sd));
    sd->fd = s;
    epoll_ctl(epfd, EPOLL_CTL_ADD, s, &ev);
    curl_multi_assign(multi, s, sd);
  }
  else {
    epoll_ctl(epfd, EPOLL_CTL_MOD, s, &ev);
  }
  return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
  struct itimerspec its;
  (void)multi;
  (void)userp;
  memset(&its, 0, sizeof(its));
  if(timeout_ms >= 0) {
    if(timeout_ms == 0)
      its.it_value.tv_nsec = 1; /* at once; zero would disarm */
    else {
      its.it_value.tv_sec = timeout_ms / 1000;
      its.it_value.tv_nsec = (timeout_ms % 1000) * 1000000;
    }
  }
  timerfd_settime(tfd, 0, &its, NULL);
  return 0;
}

static CURL *make(struct transfer *t)
{
  CURL *easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, t->url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  return easy;
}

int main(int argc, char **argv)
{
  CURLM *multi;
  struct transfer *ts;
  int n = argc - 1, next = 0, running = 0, done = 0, failed = 0, i;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = tfd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
  }
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, multi);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  if(curl_multi_setopt(multi, (CURLMoption)9999, 1L) != CURLM_UNKNOWN_OPTION)
    return 3;
  ts = calloc((size_t)n, sizeof(*ts));
  for(i = 0; i < n; i++)
    ts[i].url = argv[i + 1];
  for(; next < n && next < 50; next++)
    curl_multi_add_handle(multi, make(&ts[next]));
  while(done < n) {
    struct epoll_event evs[64];
    int k, got = epoll_wait(epfd, evs, 64, 10000);
    CURLMsg *msg;
    int left;
    if(got <= 0) {
      fprintf(stderr, "stalled\n");
      return 2;
    }
    for(k = 0; k < got; k++) {
      if(evs[k].data.fd == tfd) {
        unsigned long long expirations;
        if(read(tfd, &expirations, sizeof(expirations)) < 0) {
          /* spurious */
        }
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      else {
        int mask = (evs[k].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                   (evs[k].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                   (evs[k].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(multi, evs[k].data.fd, mask, &running);
      }
    }
    while((msg = curl_multi_info_read(multi, &left))) {
      struct transfer *t;
      long status = 0;
      char *url = NULL;
      if(msg->msg != CURLMSG_DONE)
        continue;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      curl_easy_getinfo(msg->easy_handle, CURLINFO_EFFECTIVE_URL, &url);
      printf("%d %ld %zu %s\n", (int)msg->data.result, status, t->bytes,
             url ? url : "?");
      if(msg->data.result != CURLE_OK || status != 200)
        failed++;
      done++;
      curl_multi_remove_handle(multi, msg->easy_handle);
      curl_easy_cleanup(msg->easy_handle);
      if(next < n) {
        curl_multi_add_handle(multi, make(&ts[next]));
        next++;
      }
    }
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  free(ts);
  close(tfd);
  close(epfd);
  return failed ? 1 : 0;
}
