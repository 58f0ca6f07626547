/*
 * One share used by several easy handles, one after another, against the
 * test's server (http://share.test:PORT/, a name only CURLOPT_RESOLVE
 * knows). Prints every setopt and cleanup code with its message, every
 * lock and unlock callback (handle, data kind, access, userptr), and
 * what each transfer shows of the sharing: its code and
 * CURLINFO_NUM_CONNECTS (0: it reused a connection).
 *
 * The output comes in phases ("== name"); tests/share.rs compares them
 * with libcurl's run.
 *
 *   share PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

static CURL *handles[8];
static int nhandles;
static char url[128];

/* A handle's name in the output: h0, h1, ... (NULL, or "other" for a
   handle the program never made). */
static const char *name(CURL *h)
{
  static char buf[8][16];
  static int next;
  char *out = buf[next++ % 8];
  int i;
  if(!h)
    return "NULL";
  for(i = 0; i < nhandles; i++)
    if(handles[i] == h) {
      snprintf(out, 16, "h%d", i);
      return out;
    }
  return "other";
}

static const char *kind(curl_lock_data d)
{
  static const char *names[] = {"NONE", "SHARE", "COOKIE", "DNS", "SSL",
                                "CONNECT", "PSL", "HSTS"};
  return (unsigned)d < 8 ? names[d] : "?";
}

static void on_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u)
{
  printf("  lock %s %s %d %s\n", name(h), kind(d), (int)a, (const char *)u);
}

static void on_unlock(CURL *h, curl_lock_data d, void *u)
{
  printf("  unlock %s %s %s\n", name(h), kind(d), (const char *)u);
}

static size_t sink(char *p, size_t size, size_t n, void *u)
{
  (void)p;
  (void)u;
  return size * n;
}

static void shcode(const char *what, CURLSHcode code)
{
  printf("%s: %d %s\n", what, (int)code, curl_share_strerror(code));
}

static CURL *new_handle(void)
{
  CURL *h = curl_easy_init();
  handles[nhandles++] = h;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
  return h;
}

static void perform(CURL *h)
{
  long connects = -1;
  CURLcode code;
  printf("== perform %s\n", name(h));
  code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
  printf("result %s: %d connects %ld\n", name(h), (int)code, connects);
}

/* Every answer of SHARE and UNSHARE, on a share of its own. */
static void kinds(void)
{
  CURLSH *s = curl_share_init();
  int k;
  char what[64];
  printf("== kinds\n");
  for(k = CURL_LOCK_DATA_NONE; k <= CURL_LOCK_DATA_LAST + 1; k++) {
    snprintf(what, sizeof(what), "share %s(%d)", kind(k), k);
    shcode(what, curl_share_setopt(s, CURLSHOPT_SHARE, k));
  }
  for(k = CURL_LOCK_DATA_NONE; k <= CURL_LOCK_DATA_LAST + 1; k++) {
    snprintf(what, sizeof(what), "unshare %s(%d)", kind(k), k);
    shcode(what, curl_share_setopt(s, CURLSHOPT_UNSHARE, k));
  }
  shcode("option 0", curl_share_setopt(s, CURLSHOPT_NONE, 0));
  shcode("option 99", curl_share_setopt(s, (CURLSHoption)99, 0));
  shcode("setopt NULL", curl_share_setopt(NULL, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS));
  shcode("cleanup NULL", curl_share_cleanup(NULL));
  shcode("cleanup", curl_share_cleanup(s));
  for(k = -1; k <= CURLSHE_LAST; k++) {
    snprintf(what, sizeof(what), "strerror %d", k);
    printf("%s: %s\n", what, curl_share_strerror((CURLSHcode)k));
  }
}

int main(int argc, char **argv)
{
  char resolve[64];
  struct curl_slist *entries;
  CURLSH *sh, *dns_only;
  CURL *h0, *h1, *h2, *h3, *h4, *h5, *h6;
  CURLM *multi;
  int running = 1;

  if(argc < 2) {
    fprintf(stderr, "usage: share PORT\n");
    return 2;
  }
  snprintf(url, sizeof(url), "http://share.test:%s/", argv[1]);
  snprintf(resolve, sizeof(resolve), "share.test:%s:127.0.0.1", argv[1]);
  entries = curl_slist_append(NULL, resolve);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  kinds();

  printf("== setup\n");
  sh = curl_share_init();
  shcode("lockfunc", curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, on_lock));
  shcode("unlockfunc", curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, on_unlock));
  shcode("userdata", curl_share_setopt(sh, CURLSHOPT_USERDATA, "main"));
  shcode("share DNS", curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS));
  shcode("share CONNECT", curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT));
  shcode("share SSL", curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION));

  /* h0 knows the name; the others learn it from the share. */
  h0 = new_handle();
  curl_easy_setopt(h0, CURLOPT_RESOLVE, entries);
  printf("== attach h0\n");
  printf("setopt SHARE: %d\n", (int)curl_easy_setopt(h0, CURLOPT_SHARE, sh));
  printf("== attach h0 again\n");
  printf("setopt SHARE: %d\n", (int)curl_easy_setopt(h0, CURLOPT_SHARE, sh));
  printf("== in use\n");
  shcode("share COOKIE", curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE));
  shcode("unshare DNS", curl_share_setopt(sh, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_DNS));
  shcode("lockfunc", curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, on_lock));
  shcode("cleanup", curl_share_cleanup(sh));
  perform(h0);

  h1 = new_handle();
  printf("== attach h1\n");
  printf("setopt SHARE: %d\n", (int)curl_easy_setopt(h1, CURLOPT_SHARE, sh));
  perform(h1);
  perform(h1);
  perform(h0);

  /* A handle without the share cannot resolve the name. */
  h2 = new_handle();
  perform(h2);

  /* A handle in a multi handle takes the share's connection too. */
  h3 = new_handle();
  curl_easy_setopt(h3, CURLOPT_SHARE, sh);
  multi = curl_multi_init();
  printf("== multi h3\n");
  curl_multi_add_handle(multi, h3);
  while(running) {
    curl_multi_perform(multi, &running);
    if(running)
      curl_multi_poll(multi, NULL, 0, 1000, NULL);
  }
  {
    int queued;
    long connects = -1;
    CURLMsg *msg = curl_multi_info_read(multi, &queued);
    curl_easy_getinfo(h3, CURLINFO_NUM_CONNECTS, &connects);
    printf("result h3: %d connects %ld\n", msg ? (int)msg->data.result : -1, connects);
  }
  printf("== multi remove h3\n");
  curl_multi_remove_handle(multi, h3);
  curl_multi_cleanup(multi);

  /* Reset keeps the share; a duplicate does not have it. */
  printf("== reset h1\n");
  curl_easy_reset(h1);
  curl_easy_setopt(h1, CURLOPT_URL, url);
  curl_easy_setopt(h1, CURLOPT_WRITEFUNCTION, sink);
  perform(h1);
  printf("== dup h1\n");
  h4 = curl_easy_duphandle(h1);
  handles[nhandles++] = h4;
  perform(h4);

  /* A share of names only: a new connection each, the name shared. */
  printf("== dns only\n");
  dns_only = curl_share_init();
  shcode("share DNS", curl_share_setopt(dns_only, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS));
  h5 = new_handle();
  h6 = new_handle();
  curl_easy_setopt(h6, CURLOPT_RESOLVE, entries);
  curl_easy_setopt(h6, CURLOPT_SHARE, dns_only);
  curl_easy_setopt(h5, CURLOPT_SHARE, dns_only);
  /* h0's names went into the first share at its first transfer, once:
     moved to another share, it finds them no more (libcurl's rule). */
  curl_easy_setopt(h0, CURLOPT_SHARE, dns_only);
  perform(h0);
  perform(h6);
  perform(h5);
  perform(h5);

  printf("== cleanup h3\n");
  curl_easy_cleanup(h3);
  printf("== cleanup share in use\n");
  shcode("cleanup", curl_share_cleanup(sh));
  printf("== detach h1\n");
  printf("setopt SHARE NULL: %d\n", (int)curl_easy_setopt(h1, CURLOPT_SHARE, NULL));
  printf("== detach h1 again\n");
  printf("setopt SHARE NULL: %d\n", (int)curl_easy_setopt(h1, CURLOPT_SHARE, NULL));
  printf("== cleanup others\n");
  curl_easy_cleanup(h0);
  curl_easy_cleanup(h1);
  curl_easy_cleanup(h2);
  curl_easy_cleanup(h4);
  curl_easy_cleanup(h5);
  curl_easy_cleanup(h6);
  printf("== cleanup share\n");
  shcode("cleanup", curl_share_cleanup(sh));
  shcode("cleanup dns only", curl_share_cleanup(dns_only));
  curl_slist_free_all(entries);
  curl_global_cleanup();
  return 0;
}
