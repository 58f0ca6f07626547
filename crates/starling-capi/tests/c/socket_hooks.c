/*
 * The application making and closing a transfer's sockets:
 * CURLOPT_OPENSOCKETFUNCTION, CURLOPT_SOCKOPTFUNCTION and
 * CURLOPT_CLOSESOCKETFUNCTION. Prints each call in order (with the
 * address asked for, the socket's state when it is configured, which
 * socket is closed), each transfer's result and error text, and when the
 * handle's cleanup happens. Built against Debian's libcurl and against
 * Starling, the outputs must be the same (tests/socket_hooks.rs).
 *
 * usage: socket_hooks URL (http://127.0.0.1:PORT/...)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

/* What the callbacks do in one case. */
struct hooks {
  int open_fails;   /* opensocket returns CURL_SOCKET_BAD */
  int connect_self; /* opensocket connects (blocking), sockopt says so */
  int sockopt_answer;
  int opened[8];    /* sockets made, to name them by their order */
  int n_opened;
};

static int name_of(struct hooks *h, curl_socket_t s)
{
  int i;
  for(i = 0; i < h->n_opened; i++)
    if(h->opened[i] == s)
      return i + 1;
  return 0; /* not ours: libcurl's own */
}

static curl_socket_t on_open(void *userp, curlsocktype purpose,
                             struct curl_sockaddr *a)
{
  struct hooks *h = userp;
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  curl_socket_t s;
  if(a->family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)&a->addr;
    inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    port = ntohs(in->sin_port);
  }
  printf("  open: purpose %d, family %s, socktype %s, protocol %s, "
         "addrlen %s, %s port %s\n", (int)purpose,
         a->family == AF_INET ? "inet" : "other",
         a->socktype == SOCK_STREAM ? "stream" : "other",
         a->protocol == IPPROTO_TCP ? "tcp" : "other",
         a->addrlen == sizeof(struct sockaddr_in) ? "right" : "WRONG", ip,
         port > 0 ? "set" : "missing");
  if(h->open_fails)
    return CURL_SOCKET_BAD;
  s = socket(a->family, a->socktype, a->protocol);
  if(h->connect_self &&
     connect(s, (struct sockaddr *)&a->addr, a->addrlen) != 0) {
    close(s);
    return CURL_SOCKET_BAD;
  }
  h->opened[h->n_opened++] = s;
  return s;
}

static int on_sockopt(void *userp, curl_socket_t s, curlsocktype purpose)
{
  struct hooks *h = userp;
  int nodelay = 0;
  socklen_t len = sizeof(nodelay);
  getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len);
  printf("  sockopt: socket %d, purpose %d, non-blocking %s, nodelay %d\n",
         name_of(h, s), (int)purpose,
         (fcntl(s, F_GETFL) & O_NONBLOCK) ? "yes" : "no", nodelay != 0);
  return h->connect_self ? CURL_SOCKOPT_ALREADY_CONNECTED : h->sockopt_answer;
}

static int on_close(void *userp, curl_socket_t s)
{
  struct hooks *h = userp;
  printf("  close: socket %d\n", name_of(h, s));
  return close(s);
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

/* The error text with its "after N ms" as "after N ms" whatever N is:
   the time taken is not what is compared. */
static const char *timeless(const char *error)
{
  static char out[CURL_ERROR_SIZE];
  const char *after = strstr(error, "after ");
  size_t n;
  if(!after)
    return error;
  n = (size_t)(after - error) + 6;
  memcpy(out, error, n);
  out[n] = 0;
  after += 6;
  while(*after >= '0' && *after <= '9')
    after++;
  snprintf(out + n, sizeof(out) - n, "N%s", after);
  return out;
}

/* Which callbacks a case sets. */
enum { OPEN = 1, SOCKOPT = 2, CLOSE = 4 };

static void run(const char *title, const char *url, int set,
                struct hooks h, int transfers)
{
  CURL *easy = curl_easy_init();
  char error[CURL_ERROR_SIZE];
  int i;
  printf("%s\n", title);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(set & OPEN) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, on_open);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &h);
  }
  if(set & SOCKOPT) {
    curl_easy_setopt(easy, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
    curl_easy_setopt(easy, CURLOPT_SOCKOPTDATA, &h);
  }
  if(set & CLOSE) {
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, on_close);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, &h);
  }
  for(i = 0; i < transfers; i++) {
    CURLcode result;
    long code = 0;
    error[0] = 0;
    fflush(stdout);
    result = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    printf("  result %d, code %ld%s%s\n", (int)result, code,
           result ? ", error: " : "", result ? timeless(error) : "");
  }
  printf("  cleanup\n");
  fflush(stdout);
  curl_easy_cleanup(easy);
  printf("  cleaned up\n");
}

int main(int argc, char **argv)
{
  struct hooks plain = {0, 0, CURL_SOCKOPT_OK, {0}, 0};
  struct hooks open_fails = plain, connected = plain, refused = plain;
  if(argc != 2) {
    fprintf(stderr, "usage: socket_hooks URL\n");
    return 2;
  }
  open_fails.open_fails = 1;
  connected.connect_self = 1;
  refused.sockopt_answer = CURL_SOCKOPT_ERROR;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run("all three, two transfers", argv[1], OPEN | SOCKOPT | CLOSE, plain, 2);
  run("open fails", argv[1], OPEN | SOCKOPT | CLOSE, open_fails, 1);
  run("sockopt refuses", argv[1], OPEN | SOCKOPT | CLOSE, refused, 1);
  run("sockopt refuses, no close function", argv[1], SOCKOPT, refused, 1);
  run("already connected", argv[1], OPEN | SOCKOPT | CLOSE, connected, 1);
  run("close alone", argv[1], CLOSE, plain, 1);
  run("sockopt alone", argv[1], SOCKOPT, plain, 1);
  run("open alone", argv[1], OPEN, plain, 1);
  curl_global_cleanup();
  return 0;
}
