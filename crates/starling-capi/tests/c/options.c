/*
 * Each easy option Starling implements, set the way a libcurl program sets
 * it, with its effect checked against the test's servers: request bodies
 * and methods, headers, redirects and limits, timeouts, decoding, resolve
 * overrides, connection reuse, progress callbacks, the low-speed limit,
 * TLS verification and connect-to entries.
 *
 * usage: options HTTP-BASE HTTPS-PORT CA-FILE
 *   HTTP-BASE   http://127.0.0.1:PORT of the test's HTTP server
 *   HTTPS-PORT  the port of its TLS server (certificate for tls.test)
 *   CA-FILE     the CA that signed that certificate
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static int checks, failures;

#define CHECK(cond, ...)                      \
  do {                                        \
    checks++;                                 \
    if(!(cond)) {                             \
      failures++;                             \
      fprintf(stderr, "FAIL: " __VA_ARGS__);  \
      fprintf(stderr, " [line %d]\n", __LINE__); \
    }                                         \
  } while(0)

/* A response body and the x-method header the echo route sends. */
struct response {
  char body[4096];
  size_t len;
  char method[32];
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct response *r = userdata;
  size_t n = size * nmemb, room = sizeof(r->body) - 1 - r->len;
  memcpy(r->body + r->len, ptr, n < room ? n : room);
  r->len += n < room ? n : room;
  r->body[r->len] = 0;
  return n;
}

static size_t on_head(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct response *r = userdata;
  size_t n = size * nmemb;
  if(n > 10 && strncmp(ptr, "x-method: ", 10) == 0)
    snprintf(r->method, sizeof(r->method), "%.*s", (int)(n - 12), ptr + 10);
  return n;
}

static const char *upload_data;
static size_t upload_left;

static size_t on_read(char *buffer, size_t size, size_t nitems, void *userdata)
{
  size_t n = size * nitems;
  (void)userdata;
  if(n > upload_left)
    n = upload_left;
  memcpy(buffer, upload_data, n);
  upload_data += n;
  upload_left -= n;
  return n;
}

static char base[256];

static const char *at(const char *path)
{
  static char url[512];
  snprintf(url, sizeof(url), "%s%s", base, path);
  return url;
}

/* Sends `easy`'s body and head to `r`. */
static void handle_options(CURL *easy, struct response *r, const char *path)
{
  memset(r, 0, sizeof(*r));
  curl_easy_setopt(easy, CURLOPT_URL, at(path));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_head);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
}

/* A fresh handle whose body and head land in `r`. */
static CURL *handle(struct response *r, const char *path)
{
  CURL *easy = curl_easy_init();
  handle_options(easy, r, path);
  return easy;
}

static void bodies_and_methods(void)
{
  struct response r;
  char fields[] = "copied=yes";
  FILE *file;
  CURL *easy = handle(&r, "/echo");
  CURLcode result;

  CHECK(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "a=1&b=2") == CURLE_OK, "POSTFIELDS");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "POST") == 0 && strcmp(r.body, "a=1&b=2") == 0,
        "POSTFIELDS: %d %s [%s]", (int)result, r.method, r.body);
  {
    curl_off_t up = -1;
    long head = 0, request = 0, version = 0, protocol = 0, connectcode = -1;
    char *scheme = NULL;
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &head);
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request);
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    curl_easy_getinfo(easy, CURLINFO_PROTOCOL, &protocol);
    curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &connectcode);
    curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme);
    CHECK(up == 7, "SIZE_UPLOAD_T: %ld", (long)up);
    CHECK(head > 20 && request > 40, "HEADER_SIZE %ld, REQUEST_SIZE %ld", head, request);
    CHECK(version == CURL_HTTP_VERSION_1_1 && protocol == CURLPROTO_HTTP && connectcode == 0,
          "HTTP_VERSION %ld, PROTOCOL %ld, HTTP_CONNECTCODE %ld", version, protocol, connectcode);
    CHECK(scheme && strcmp(scheme, "HTTP") == 0, "SCHEME %s", scheme ? scheme : "NULL");
  }

  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 3L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.body, "a=1") == 0, "POSTFIELDSIZE 3: [%s]", r.body);

  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
  curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, fields);
  memcpy(fields, "XXXXXXXXXX", 10);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.body, "copied=yes") == 0,
        "COPYPOSTFIELDS keeps its copy: [%s]", r.body);

  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "PATCH") == 0 && strcmp(r.body, "copied=yes") == 0,
        "CUSTOMREQUEST PATCH: %s [%s]", r.method, r.body);

  /* A size set after CUSTOMREQUEST leaves the method alone. */
  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 6L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "PATCH") == 0 && strcmp(r.body, "copied") == 0,
        "CUSTOMREQUEST kept after POSTFIELDSIZE: %s [%s]", r.method, r.body);

  /* CUSTOMREQUEST NULL: the method the other options imply, POST here. */
  memset(&r, 0, sizeof(r));
  CHECK(curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, NULL) == CURLE_OK, "CUSTOMREQUEST NULL");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "POST") == 0, "back to POST: %s", r.method);

  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "GET") == 0 && r.len == 0,
        "HTTPGET after a POST: %s [%s]", r.method, r.body);

  /* An upload from the read callback, of a known size. */
  memset(&r, 0, sizeof(r));
  upload_data = "uploaded through READFUNCTION";
  upload_left = strlen(upload_data);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)upload_left);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "PUT") == 0 &&
        strcmp(r.body, "uploaded through READFUNCTION") == 0,
        "UPLOAD + READFUNCTION: %d %s [%s]", (int)result, r.method, r.body);

  /* READDATA without a read function: fread from that FILE *, of unknown
   * size (chunked). */
  file = tmpfile();
  CHECK(file != NULL, "tmpfile");
  if(file) {
    fputs("uploaded from a FILE *", file);
    rewind(file);
    memset(&r, 0, sizeof(r));
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, NULL);
    curl_easy_setopt(easy, CURLOPT_READDATA, file);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE, -1L);
    result = curl_easy_perform(easy);
    CHECK(result == CURLE_OK && strcmp(r.body, "uploaded from a FILE *") == 0,
          "READDATA FILE *: %d [%s]", (int)result, r.body);
    fclose(file);
  }
  curl_easy_cleanup(easy);

  /* POST 1 with a body given by POSTFIELDS, NOBODY for a HEAD. */
  easy = handle(&r, "/echo");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "x");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strcmp(r.method, "POST") == 0 && strcmp(r.body, "x") == 0,
        "POST: %s [%s]", r.method, r.body);
  curl_easy_cleanup(easy);

  easy = handle(&r, "/bytes/100");
  curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && r.len == 100, "NOBODY 1 then 0: a GET, %d bytes", (int)r.len);
  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  result = curl_easy_perform(easy);
  {
    curl_off_t length = 0;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    CHECK(result == CURLE_OK && status == 200 && r.len == 0 && length == 100,
          "NOBODY: %d %ld %d bytes, length %ld", (int)result, status, (int)r.len, (long)length);
  }
  curl_easy_cleanup(easy);
}

/* The header callback sees the interim `100 Continue` of a large POST;
 * the debug callback its body going out and coming back. */
static int saw_continue, saw_blank_after_continue, head_lines;
static size_t data_out, data_in;

static size_t on_head_lines(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  size_t n = size * nmemb;
  (void)userdata;
  head_lines++;
  if(n == 23 && strncmp(ptr, "HTTP/1.1 100 Continue\r\n", 23) == 0)
    saw_continue = head_lines;
  if(saw_continue && head_lines == saw_continue + 1 && n == 2)
    saw_blank_after_continue = 1;
  return n;
}

static int on_debug_data(CURL *handle, curl_infotype type, char *data, size_t size, void *userp)
{
  (void)handle;
  (void)data;
  (void)userp;
  if(type == CURLINFO_DATA_OUT)
    data_out += size;
  if(type == CURLINFO_DATA_IN)
    data_in += size;
  return 0;
}

static void interim_and_data(void)
{
  struct response r;
  size_t len = 2 << 20;
  char *big = malloc(len);
  CURL *easy = handle(&r, "/echo");
  CURLcode result;
  CHECK(big != NULL, "malloc");
  if(!big)
    return;
  memset(big, 'x', len);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, big);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_head_lines);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug_data);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "a 2 MiB POST: %d", (int)result);
  CHECK(saw_continue == 1 && saw_blank_after_continue,
        "the interim head first, with its empty line: line %d", saw_continue);
  CHECK(data_out == len && data_in == len, "DATA_OUT %lu, DATA_IN %lu bytes",
        (unsigned long)data_out, (unsigned long)data_in);
  curl_easy_cleanup(easy);
  free(big);
}

static void request_headers(void)
{
  struct response r;
  struct curl_slist *list = NULL;
  CURL *easy = handle(&r, "/headers");
  CURLcode result;
  list = curl_slist_append(list, "X-From-C: yes");
  list = curl_slist_append(list, "Accept: text/plain");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "options.c/1.0");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "headers: %d", (int)result);
  CHECK(strstr(r.body, "user-agent: options.c/1.0\n") != NULL, "USERAGENT in [%s]", r.body);
  CHECK(strstr(r.body, "x-from-c: yes\n") != NULL, "HTTPHEADER in [%s]", r.body);
  CHECK(strstr(r.body, "accept: text/plain\n") != NULL, "HTTPHEADER replaces Accept: [%s]",
        r.body);
  curl_easy_cleanup(easy);
  curl_slist_free_all(list);
}

/* Options that become request fields of their own. */
static void fields_from_options(void)
{
  struct response r;
  CURL *easy = handle(&r, "/headers");
  CURLcode result;
  CHECK(curl_easy_setopt(easy, CURLOPT_USERPWD, "user:pass") == CURLE_OK, "USERPWD");
  CHECK(curl_easy_setopt(easy, CURLOPT_COOKIE, "a=1; b=2") == CURLE_OK, "COOKIE");
  CHECK(curl_easy_setopt(easy, CURLOPT_REFERER, "http://from.test/") == CURLE_OK, "REFERER");
  CHECK(curl_easy_setopt(easy, CURLOPT_RANGE, "0-9") == CURLE_OK, "RANGE");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "fields: %d", (int)result);
  CHECK(strstr(r.body, "authorization: Basic dXNlcjpwYXNz\n") != NULL, "USERPWD in [%s]", r.body);
  CHECK(strstr(r.body, "cookie: a=1; b=2\n") != NULL, "COOKIE in [%s]", r.body);
  CHECK(strstr(r.body, "referer: http://from.test/\n") != NULL, "REFERER in [%s]", r.body);
  CHECK(strstr(r.body, "range: bytes=0-9\n") != NULL, "RANGE in [%s]", r.body);

  /* USERNAME and PASSWORD, RESUME_FROM_LARGE without RANGE. */
  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_USERPWD, NULL);
  curl_easy_setopt(easy, CURLOPT_USERNAME, "other");
  curl_easy_setopt(easy, CURLOPT_PASSWORD, "secret");
  curl_easy_setopt(easy, CURLOPT_RANGE, NULL);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "fields again: %d", (int)result);
  CHECK(strstr(r.body, "authorization: Basic b3RoZXI6c2VjcmV0\n") != NULL,
        "USERNAME and PASSWORD in [%s]", r.body);
  CHECK(strstr(r.body, "range:") == NULL, "no RANGE left in [%s]", r.body);
  /* RESUME_FROM_LARGE asks for "bytes=5-"; a server that answers with
   * the whole document (no Content-Range) fails the transfer before any
   * byte is written, as in libcurl. */
  memset(&r, 0, sizeof(r));
  curl_easy_setopt(easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)5);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_RANGE_ERROR, "resume without ranges: %d", (int)result);
  CHECK(r.len == 0, "nothing written: %zu", r.len);
  curl_easy_setopt(easy, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)0);

  /* Basic, Digest and Bearer are built in; NTLM and Negotiate are not. */
  CHECK(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_NTLM) == CURLE_NOT_BUILT_IN,
        "HTTPAUTH NTLM alone is not built in");
  CHECK(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_NTLM | CURLAUTH_NEGOTIATE) ==
        CURLE_NOT_BUILT_IN, "HTTPAUTH NTLM and Negotiate are not built in");
  CHECK(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST) == CURLE_OK, "HTTPAUTH Digest");
  CHECK(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_ANY) == CURLE_OK, "HTTPAUTH ANY");
  CHECK(curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC) == CURLE_OK, "HTTPAUTH BASIC");
  curl_easy_cleanup(easy);

  /* HEADER: the head goes into the body's stream first. */
  easy = handle(&r, "/bytes/10");
  curl_easy_setopt(easy, CURLOPT_HEADER, 1L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strncmp(r.body, "HTTP/1.1 200 OK\r\n", 17) == 0 &&
        r.len > 10 && strstr(r.body, "\r\n\r\n") == r.body + r.len - 14,
        "HEADER: %d [%s]", (int)result, r.body);
  curl_easy_cleanup(easy);
}

static void redirects_and_limits(void)
{
  struct response r;
  long count = -1;
  CURL *easy = handle(&r, "/chain/5");
  CURLcode result;
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 2L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_TOO_MANY_REDIRECTS, "MAXREDIRS 2 on a chain of 5: %d", (int)result);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &count);
  CHECK(result == CURLE_OK && count == 5, "MAXREDIRS 10: %d after %ld", (int)result, count);
  curl_easy_cleanup(easy);

  easy = handle(&r, "/bytes/1000");
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE, 100L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_FILESIZE_EXCEEDED, "MAXFILESIZE 100: %d", (int)result);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1000);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "MAXFILESIZE_LARGE 1000: %d", (int)result);
  curl_easy_cleanup(easy);

  easy = handle(&r, "/delay/3000/10");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 200L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OPERATION_TIMEDOUT, "TIMEOUT_MS 200 on a 3 s reply: %d", (int)result);
  /* 0 removes the limit again (this handle's TIMEOUT of 20 s too). */
  curl_easy_setopt(easy, CURLOPT_URL, at("/delay/400/10"));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 0L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 0L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "TIMEOUT_MS 0 on a 400 ms reply: %d", (int)result);
  curl_easy_cleanup(easy);
}

static void decoding_and_resolve(int http_port)
{
  struct response r;
  char entry[128], url[256];
  struct curl_slist *resolve = NULL;
  CURL *easy = handle(&r, "/encoded/gzip/1000");
  CURLcode result;
  curl_off_t size = 0;
  CHECK(curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK, "ACCEPT_ENCODING");
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &size);
  CHECK(result == CURLE_OK && r.len == 1000, "gzip decoded: %d, %d bytes", (int)result,
        (int)r.len);
  curl_easy_cleanup(easy);

  snprintf(entry, sizeof(entry), "options.test:%d:127.0.0.1", http_port);
  snprintf(url, sizeof(url), "http://options.test:%d/bytes/10", http_port);
  resolve = curl_slist_append(resolve, entry);
  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && r.len == 10, "RESOLVE options.test: %d", (int)result);
  curl_easy_cleanup(easy);

  /* IPRESOLVE: a name with an IPv4 address only, asked for IPv6. */
  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
  CHECK(curl_easy_setopt(easy, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V6) == CURLE_OK, "IPRESOLVE");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_COULDNT_RESOLVE_HOST, "IPRESOLVE V6 of an IPv4 name: %d", (int)result);
  curl_easy_setopt(easy, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "IPRESOLVE V4: %d", (int)result);
  curl_easy_cleanup(easy);
  curl_slist_free_all(resolve);
}

static void reuse(void)
{
  struct response r;
  long connects = -1;
  CURL *easy = handle(&r, "/bytes/10");
  curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 1, "NUM_CONNECTS of a first perform: %ld", connects);
  /* The handle keeps its connection for the next perform, as libcurl's
   * does. */
  curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 0, "NUM_CONNECTS of a second perform: %ld", connects);
  /* FORBID_REUSE closes it after the transfer: the next one connects. */
  CHECK(curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK, "FORBID_REUSE");
  curl_easy_perform(easy);
  curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 1, "NUM_CONNECTS after FORBID_REUSE: %ld", connects);
  /* FRESH_CONNECT takes a new one even with one kept. */
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 0L);
  curl_easy_perform(easy);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 1, "NUM_CONNECTS with FRESH_CONNECT: %ld", connects);
  curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 0L);
  /* curl_easy_reset keeps the connections. */
  curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 0L);
  curl_easy_perform(easy);
  curl_easy_reset(easy);
  handle_options(easy, &r, "/bytes/10");
  curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 0, "NUM_CONNECTS after curl_easy_reset: %ld", connects);
  curl_easy_cleanup(easy);
}

/* What the progress callbacks saw. */
struct progress {
  CURL *easy;
  int calls;
  curl_off_t dltotal, dlnow;
  curl_off_t time_inside;  /* CURLINFO_TOTAL_TIME_T asked inside */
  int abort_at;            /* return non-zero from this call on (0: never) */
};

static int on_xferinfo(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
  struct progress *p = clientp;
  curl_off_t t = 0;
  (void)ultotal;
  (void)ulnow;
  p->calls++;
  p->dltotal = dltotal;
  p->dlnow = dlnow;
  if(curl_easy_getinfo(p->easy, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK && t > p->time_inside)
    p->time_inside = t;
  return p->abort_at && p->calls >= p->abort_at;
}

static int on_old_progress(void *clientp, double dltotal, double dlnow, double ultotal,
                           double ulnow)
{
  struct progress *p = clientp;
  (void)ultotal;
  (void)ulnow;
  p->calls++;
  p->dltotal = (curl_off_t)dltotal;
  p->dlnow = (curl_off_t)dlnow;
  return 0;
}

static void progress_and_speed(void)
{
  struct response r;
  struct progress p;
  curl_off_t total = 0;
  CURL *easy = handle(&r, "/bytes/200000");
  CURLcode result;

  /* Progress calls are off by default (NOPROGRESS 1). */
  memset(&p, 0, sizeof(p));
  p.easy = easy;
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &p);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && p.calls == 0, "no progress calls by default: %d", p.calls);

  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
  CHECK(result == CURLE_OK && p.calls > 0, "XFERINFOFUNCTION called: %d", p.calls);
  CHECK(p.dltotal == 200000 && p.dlnow == 200000, "its last figures: %ld of %ld",
        (long)p.dlnow, (long)p.dltotal);
  CHECK(p.time_inside > 0 && p.time_inside <= total,
        "TOTAL_TIME_T inside the callback: %ld (at the end %ld)", (long)p.time_inside,
        (long)total);

  memset(&p, 0, sizeof(p));
  p.easy = easy;
  p.abort_at = 1;
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_ABORTED_BY_CALLBACK, "a progress callback's abort: %d", (int)result);

  /* The old callback, with doubles, when no XFERINFOFUNCTION is set. */
  memset(&p, 0, sizeof(p));
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, NULL);
  curl_easy_setopt(easy, CURLOPT_PROGRESSFUNCTION, on_old_progress);
  curl_easy_setopt(easy, CURLOPT_PROGRESSDATA, &p);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && p.calls > 0 && p.dlnow == 200000,
        "PROGRESSFUNCTION: %d calls, %ld bytes", p.calls, (long)p.dlnow);
  curl_easy_cleanup(easy);

  /* Below 1,000 bytes/s for 1 s: a trickle of one byte per 100 ms. */
  easy = handle(&r, "/trickle/100/100");
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1000L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 1L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OPERATION_TIMEDOUT, "LOW_SPEED_LIMIT against a trickle: %d",
        (int)result);
  curl_easy_cleanup(easy);
}

static void tls(int https_port, const char *ca)
{
  struct response r;
  char entry[128], url[256];
  struct curl_slist *resolve = NULL;
  CURL *easy;
  CURLcode result;
  double appconnect = 0;
  snprintf(entry, sizeof(entry), "tls.test:%d:127.0.0.1", https_port);
  snprintf(url, sizeof(url), "https://tls.test:%d/bytes/10", https_port);
  resolve = curl_slist_append(resolve, entry);

  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_PEER_FAILED_VERIFICATION, "an unknown CA: %d", (int)result);

  CHECK(curl_easy_setopt(easy, CURLOPT_CAINFO, ca) == CURLE_OK, "CAINFO");
  memset(&r, 0, sizeof(r));
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME, &appconnect);
  CHECK(result == CURLE_OK && r.len == 10 && appconnect > 0,
        "CAINFO trusted: %d, %d bytes, appconnect %f", (int)result, (int)r.len, appconnect);
  {
    char *scheme = NULL;
    long protocol = 0;
    curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme);
    curl_easy_getinfo(easy, CURLINFO_PROTOCOL, &protocol);
    CHECK(scheme && strcmp(scheme, "HTTPS") == 0 && protocol == CURLPROTO_HTTPS,
          "SCHEME %s, PROTOCOL %ld", scheme ? scheme : "NULL", protocol);
  }
  curl_easy_cleanup(easy);

  /* Without the CA: VERIFYPEER 0 and VERIFYHOST 0 let it through. */
  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && r.len == 10, "VERIFYPEER 0: %d", (int)result);
  curl_easy_cleanup(easy);
  curl_slist_free_all(resolve);
}

/* CONNECT_TO: requests for connect.test:1234 (and tls.test:443) go to the
 * test's servers while the request still names the URL's host. */
static void connect_to(int http_port, int https_port, const char *ca)
{
  struct response r;
  char entry[128];
  struct curl_slist *list = NULL, *bad = NULL, *tls = NULL;
  CURL *easy;
  CURLcode result;
  char *ip = NULL;
  long port = 0;

  snprintf(entry, sizeof(entry), "connect.test:1234:127.0.0.1:%d", http_port);
  list = curl_slist_append(list, entry);
  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, "http://connect.test:1234/headers");
  CHECK(curl_easy_setopt(easy, CURLOPT_CONNECT_TO, list) == CURLE_OK, "CONNECT_TO");
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && strstr(r.body, "host: connect.test:1234\n") != NULL,
        "CONNECT_TO: %d [%s]", (int)result, r.body);
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_PORT, &port);
  CHECK(ip && strcmp(ip, "127.0.0.1") == 0 && port == http_port,
        "PRIMARY_IP %s, PRIMARY_PORT %ld: where CONNECT_TO connected", ip ? ip : "NULL", port);

  /* A malformed entry: setopt takes the list and perform fails, as
   * libcurl's does. */
  bad = curl_slist_append(bad, "::127.0.0.1:http");
  CHECK(curl_easy_setopt(easy, CURLOPT_CONNECT_TO, bad) == CURLE_OK, "CONNECT_TO malformed");
  memset(&r, 0, sizeof(r));
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_SETOPT_OPTION_SYNTAX, "a malformed CONNECT_TO entry: %d", (int)result);
  /* A new list replaces it ... */
  curl_easy_setopt(easy, CURLOPT_CONNECT_TO, list);
  memset(&r, 0, sizeof(r));
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK, "CONNECT_TO replaced: %d", (int)result);
  /* Entries libcurl cannot read never apply, and a malformed one for
   * another host fails nothing: libcurl reads an entry only when a request
   * meets it. */
  {
    struct curl_slist *mixed = NULL;
    mixed = curl_slist_append(mixed, "garbage");
    mixed = curl_slist_append(mixed, "connect.test:1234");
    mixed = curl_slist_append(mixed, "connect.test:abc:127.0.0.1:1");
    mixed = curl_slist_append(mixed, "other.test:80:127.0.0.1:http");
    mixed = curl_slist_append(mixed, entry);
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, mixed);
    memset(&r, 0, sizeof(r));
    result = curl_easy_perform(easy);
    CHECK(result == CURLE_OK, "CONNECT_TO with entries that do not apply: %d", (int)result);
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, list);
    curl_slist_free_all(mixed);
  }
  /* ... and NULL clears it. */
  curl_easy_setopt(easy, CURLOPT_CONNECT_TO, bad);
  CHECK(curl_easy_setopt(easy, CURLOPT_CONNECT_TO, NULL) == CURLE_OK, "CONNECT_TO NULL");
  curl_easy_setopt(easy, CURLOPT_URL, at("/bytes/10"));
  memset(&r, 0, sizeof(r));
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && r.len == 10, "CONNECT_TO cleared: %d", (int)result);
  curl_easy_cleanup(easy);

  /* HTTPS: the TLS name and the certificate check stay tls.test's. */
  snprintf(entry, sizeof(entry), "tls.test:443:127.0.0.1:%d", https_port);
  tls = curl_slist_append(tls, entry);
  easy = handle(&r, "/");
  curl_easy_setopt(easy, CURLOPT_URL, "https://tls.test/bytes/10");
  curl_easy_setopt(easy, CURLOPT_CONNECT_TO, tls);
  curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
  result = curl_easy_perform(easy);
  CHECK(result == CURLE_OK && r.len == 10, "CONNECT_TO over HTTPS: %d", (int)result);
  curl_easy_cleanup(easy);
  curl_slist_free_all(list);
  curl_slist_free_all(bad);
  curl_slist_free_all(tls);
}

int main(int argc, char **argv)
{
  const char *colon;
  int http_port;
  if(argc != 4) {
    fprintf(stderr, "usage: options HTTP-BASE HTTPS-PORT CA-FILE\n");
    return 2;
  }
  snprintf(base, sizeof(base), "%s", argv[1]);
  colon = strrchr(base, ':');
  http_port = colon ? atoi(colon + 1) : 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  bodies_and_methods();
  request_headers();
  interim_and_data();
  fields_from_options();
  redirects_and_limits();
  decoding_and_resolve(http_port);
  reuse();
  progress_and_speed();
  tls(atoi(argv[2]), argv[3]);
  connect_to(http_port, atoi(argv[2]), argv[3]);
  curl_global_cleanup();
  if(failures) {
    fprintf(stderr, "%d of %d checks failed\n", failures, checks);
    return 1;
  }
  printf("ok %d checks\n", checks);
  return 0;
}
