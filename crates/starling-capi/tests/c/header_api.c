/*
 * libcurl's header API, every answer printed:
 *
 *   header_api URL DEAD_END
 *
 * URL answers an interim head and a redirect (repeated and odd-case
 * names, values with white space around them, empty ones) to a server
 * that answers another interim head and a final head with a chunked body.
 * DEAD_END redirects to a port nobody listens on. The program prints, one
 * line each (bytes outside printable ASCII escaped):
 *
 * - the layout of struct curl_header and the CURLH_ and CURLHE_ values;
 * - the answers of a handle that has made no transfer, and to bad
 *   arguments;
 * - during a transfer with FOLLOWLOCATION, at each header callback call
 *   (the line, then what the API answers so far) and at the first write
 *   callback call;
 * - after it, curl_easy_nextheader's walk for each origin mask and request
 *   number, and curl_easy_header for a set of names, indexes, masks and
 *   request numbers, with their error codes;
 * - how the returned struct is kept (libcurl 7.88 has one per handle,
 *   overwritten by each call of either function), a walk continued from a
 *   curl_easy_header answer and from a copy, a struct without an anchor;
 * - the fields after curl_easy_reset and in a duplicated handle, after a
 *   second transfer without FOLLOWLOCATION and after a failed one;
 * - after a redirect followed to a server that does not answer (libcurl
 *   counts its request all the same);
 * - a transfer driven by a multi handle, asked inside its callbacks and
 *   after it.
 *
 * The last line counts the results. The test runs it built against
 * libcurl and against Starling and requires the same output.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static unsigned long results;
/* The handle the callbacks ask about. */
static CURL *current;
/* Whether the write callback was called yet in this transfer. */
static int written;

/* `data` with bytes outside printable ASCII escaped. */
static void put_escaped(const char *data, size_t len)
{
  size_t i;
  for(i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if(c == '\r')
      fputs("\\r", stdout);
    else if(c == '\n')
      fputs("\\n", stdout);
    else if(c == '\t')
      fputs("\\t", stdout);
    else if(c == '\\')
      fputs("\\\\", stdout);
    else if(c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
}

/* " NAME=[VALUE] index/amount origin" of a returned struct. */
static void put_header(const struct curl_header *h)
{
  putchar(' ');
  put_escaped(h->name, strlen(h->name));
  fputs("=[", stdout);
  put_escaped(h->value, strlen(h->value));
  printf("] %zu/%zu %#x", h->index, h->amount, h->origin);
}

/* curl_easy_header(), its code and what it gave. */
static void ask(CURL *e, const char *name, size_t index, unsigned int origin,
                int request)
{
  struct curl_header *h = NULL;
  CURLHcode code = curl_easy_header(e, name, index, origin, request, &h);
  results++;
  printf("  header %s %zu %#x %d: %d", name ? name : "(NULL)", index, origin,
         request, (int)code);
  if(code == CURLHE_OK)
    put_header(h);
  putchar('\n');
}

/* Every field curl_easy_nextheader() walks through. */
static void walk(CURL *e, unsigned int origin, int request)
{
  struct curl_header *h = NULL;
  results++;
  printf("  walk %#x %d:", origin, request);
  while((h = curl_easy_nextheader(e, origin, request, h)))
    put_header(h);
  putchar('\n');
}

/* What a callback asks about the transfer so far. */
static void ask_so_far(void)
{
  walk(current, CURLH_HEADER | CURLH_1XX | CURLH_TRAILER, -1);
  ask(current, "set-cookie", 1, CURLH_HEADER, -1);
  ask(current, "X-INTERIM", 0, CURLH_1XX, -1);
  ask(current, "location", 0, CURLH_HEADER, 0);
  ask(current, "link", 0, CURLH_1XX | CURLH_HEADER, 1);
  ask(current, "x-odd-case", 0, CURLH_HEADER, 1);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)userdata;
  fputs("header line ", stdout);
  put_escaped(ptr, size * nmemb);
  putchar('\n');
  ask_so_far();
  return size * nmemb;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  (void)userdata;
  /* Only the first call: how a body is cut into calls is no part of the
     API. */
  if(!written++) {
    printf("first write\n");
    ask_so_far();
    walk(current, CURLH_HEADER | CURLH_1XX, 0);
  }
  return size * nmemb;
}

/* A handle fetching `url` with the callbacks above. */
static CURL *handle_for(const char *url, long follow)
{
  CURL *e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  return e;
}

/* Everything, asked after a transfer. */
static void ask_everything(CURL *e)
{
  static const unsigned int masks[] = {
    CURLH_HEADER, CURLH_TRAILER, CURLH_CONNECT, CURLH_1XX, CURLH_PSEUDO,
    CURLH_HEADER | CURLH_1XX, 0x1f, 0, 0x20, 0x21, 0x28, 0xffffffffu,
  };
  static const char *names[] = {
    "Set-Cookie", "set-cookie", "SET-COOKIE", "x-interim", "location",
    "x-empty", "x-spaces", "x-tab", "x-odd-case", "link", "content-length",
    "transfer-encoding", "x-folded", "nope", "", "set-cookie ",
    "Set-Cookie:",
  };
  size_t m, n, index;
  int request;
  for(request = -3; request <= 3; request++)
    for(m = 0; m < sizeof(masks) / sizeof(masks[0]); m++)
      walk(e, masks[m], request);
  for(n = 0; n < sizeof(names) / sizeof(names[0]); n++)
    for(request = -2; request <= 2; request++)
      for(m = 0; m < sizeof(masks) / sizeof(masks[0]); m++)
        for(index = 0; index < 3; index++)
          ask(e, names[n], index, masks[m], request);
  ask(e, "set-cookie", (size_t)-1, CURLH_HEADER, 0);
}

/* How the returned struct is kept and continued from. */
static void ask_about_storage(CURL *e)
{
  struct curl_header *h1 = NULL, *h2 = NULL, *n1, *n2, copy, blank;
  const char *name, *value;
  results += 8;
  curl_easy_header(e, "set-cookie", 0, CURLH_HEADER, 0, &h1);
  name = h1->name;
  value = h1->value;
  curl_easy_header(e, "set-cookie", 1, CURLH_HEADER, 0, &h2);
  printf("curl_easy_header gives one struct: %s\n", h1 == h2 ? "yes" : "no");
  n1 = curl_easy_nextheader(e, CURLH_HEADER, 0, NULL);
  n2 = curl_easy_nextheader(e, CURLH_HEADER, 0, n1);
  printf("curl_easy_nextheader gives one struct: %s, not the other: %s\n",
         n1 == n2 ? "yes" : "no", n1 != h1 ? "yes" : "no");
  printf("curl_easy_header's struct after nextheader:");
  put_header(h1);
  printf("\nstrings of an earlier answer: %s=%s\n", name, value);
  curl_easy_header(e, "set-cookie", 0, CURLH_HEADER, 0, &h1);
  printf("walk on from set-cookie 0:");
  for(n1 = h1; (n1 = curl_easy_nextheader(e, CURLH_HEADER, 0, n1));)
    put_header(n1);
  printf("\n1xx after set-cookie 0: %s\n",
         curl_easy_nextheader(e, CURLH_1XX, 0, h1) ? "some" : "none");
  n1 = curl_easy_nextheader(e, 0x1f, 0, NULL);
  copy = *n1;
  n1 = curl_easy_nextheader(e, 0x1f, 0, n1);
  printf("from a copy of the first:");
  put_header(curl_easy_nextheader(e, 0x1f, 0, &copy));
  memset(&blank, 0, sizeof(blank));
  printf("\nfrom a struct without anchor: %s\n",
         curl_easy_nextheader(e, 0x1f, 0, &blank) ? "some" : "NULL");
  printf("walk from request 5 with prev: %s\n",
         curl_easy_nextheader(e, 0x1f, 5, n1) ? "some" : "NULL");
}

/* A transfer through a multi handle, asked inside and after. */
static void multi_transfer(const char *url)
{
  CURLM *m = curl_multi_init();
  CURL *e = handle_for(url, 1L);
  int running = 1;
  CURLMsg *msg;
  int left;
  current = e;
  written = 0;
  curl_multi_add_handle(m, e);
  while(running) {
    curl_multi_perform(m, &running);
    if(running)
      curl_multi_poll(m, NULL, 0, 1000, NULL);
  }
  while((msg = curl_multi_info_read(m, &left)))
    printf("multi result %d\n", (int)msg->data.result);
  walk(e, 0x1f, -1);
  walk(e, 0x1f, 0);
  ask(e, "set-cookie", 1, CURLH_HEADER, 0);
  curl_multi_remove_handle(m, e);
  walk(e, 0x1f, 1);
  curl_easy_cleanup(e);
  curl_multi_cleanup(m);
}

int main(int argc, char **argv)
{
  CURL *e, *dup;
  struct curl_header *h = NULL;
  CURLcode code;
  if(argc != 3) {
    fprintf(stderr, "usage: header_api URL DEAD_END\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  printf("layout size %zu name %zu value %zu amount %zu index %zu "
         "origin %zu anchor %zu\n", sizeof(struct curl_header),
         offsetof(struct curl_header, name),
         offsetof(struct curl_header, value),
         offsetof(struct curl_header, amount),
         offsetof(struct curl_header, index),
         offsetof(struct curl_header, origin),
         offsetof(struct curl_header, anchor));
  printf("origins %d %d %d %d %d\n", CURLH_HEADER, CURLH_TRAILER,
         CURLH_CONNECT, CURLH_1XX, CURLH_PSEUDO);
  printf("codes %d %d %d %d %d %d %d %d\n", CURLHE_OK, CURLHE_BADINDEX,
         CURLHE_MISSING, CURLHE_NOHEADERS, CURLHE_NOREQUEST,
         CURLHE_OUT_OF_MEMORY, CURLHE_BAD_ARGUMENT, CURLHE_NOT_BUILT_IN);

  e = handle_for(argv[1], 1L);
  current = e;
  printf("before any transfer\n");
  ask(e, "set-cookie", 0, CURLH_HEADER, -1);
  ask(e, "set-cookie", 0, CURLH_HEADER, 0);
  ask(e, "set-cookie", 0, CURLH_HEADER, 1);
  ask(e, "set-cookie", 0, 0, 0);
  ask(e, "set-cookie", 0, CURLH_HEADER, -2);
  ask(e, NULL, 0, CURLH_HEADER, 0);
  ask(NULL, "set-cookie", 0, CURLH_HEADER, 0);
  results++;
  printf("  NULL hout: %d\n",
         (int)curl_easy_header(e, "set-cookie", 0, CURLH_HEADER, 0, NULL));
  walk(e, 0x1f, -1);
  walk(e, 0x1f, 0);
  walk(e, 0x1f, 1);

  printf("transfer with FOLLOWLOCATION\n");
  code = curl_easy_perform(e);
  printf("result %d\n", (int)code);
  ask_everything(e);
  ask_about_storage(e);
  ask(e, NULL, 0, CURLH_HEADER, 0);
  results++;
  printf("  NULL hout: %d\n",
         (int)curl_easy_header(e, "set-cookie", 0, CURLH_HEADER, 0, NULL));
  ask(NULL, "set-cookie", 0, CURLH_HEADER, 0);

  printf("duplicated handle\n");
  dup = curl_easy_duphandle(e);
  ask(dup, "set-cookie", 0, CURLH_HEADER, 0);
  walk(dup, 0x1f, 0);
  curl_easy_cleanup(dup);

  printf("after curl_easy_reset\n");
  curl_easy_reset(e);
  walk(e, 0x1f, -1);
  walk(e, 0x1f, 0);
  ask(e, "set-cookie", 0, CURLH_HEADER, -1);
  ask(e, "set-cookie", 1, CURLH_HEADER, 0);
  ask(e, "x-odd-case", 0, CURLH_HEADER, 1);

  printf("transfer without FOLLOWLOCATION\n");
  curl_easy_setopt(e, CURLOPT_URL, argv[1]);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  written = 0;
  code = curl_easy_perform(e);
  printf("result %d\n", (int)code);
  walk(e, 0x1f, -1);
  walk(e, 0x1f, 0);
  walk(e, 0x1f, 1);
  ask(e, "location", 0, CURLH_HEADER, -1);
  ask(e, "location", 0, CURLH_HEADER, 1);
  ask(e, "x-interim", 1, CURLH_1XX, -1);

  printf("failed transfer\n");
  curl_easy_setopt(e, CURLOPT_URL, "http://127.0.0.1:1/");
  code = curl_easy_perform(e);
  printf("result %d\n", (int)code);
  ask(e, "location", 0, CURLH_HEADER, 0);
  ask(e, "location", 0, CURLH_HEADER, -1);
  walk(e, 0x1f, -1);
  h = curl_easy_nextheader(e, 0x1f, 0, NULL);
  results++;
  printf("  first after failure: %s\n", h ? "some" : "NULL");
  curl_easy_cleanup(e);

  printf("redirect to a refused port\n");
  e = handle_for(argv[2], 1L);
  current = e;
  code = curl_easy_perform(e);
  printf("result %d\n", (int)code);
  walk(e, 0x1f, -1);
  walk(e, 0x1f, 0);
  walk(e, 0x1f, 1);
  ask(e, "location", 0, CURLH_HEADER, -1);
  ask(e, "location", 0, CURLH_HEADER, 0);
  ask(e, "location", 0, CURLH_HEADER, 1);
  ask(e, "location", 0, CURLH_HEADER, 2);
  curl_easy_cleanup(e);

  printf("multi transfer\n");
  multi_transfer(argv[1]);

  curl_global_cleanup();
  printf("results %lu\n", results);
  return 0;
}
