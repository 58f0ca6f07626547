/* HTTP authentication as an application sees it (argv[1]: "127.0.0.1:PORT"
 * of a server with the auth routes): CURLOPT_HTTPAUTH's methods and their
 * negotiation, USERPWD, USERNAME and PASSWORD, credentials in the URL,
 * XOAUTH2_BEARER, a wrong password, a POST, and a handle used twice. For
 * each case: every request head sent (Digest's random cnonce and the
 * response hash it makes are replaced by the test), the trace's words
 * about authentication, the header lines received, the body bytes
 * delivered, and the result code, response code and HTTPAUTH_AVAIL. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t body_bytes;

static size_t count_body(char *data, size_t size, size_t n, void *user) {
  (void)data;
  (void)user;
  body_bytes += size * n;
  return size * n;
}

static size_t header_line(char *data, size_t size, size_t n, void *user) {
  (void)user;
  size_t len = size * n;
  while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
    len--;
  printf("  in: %.*s\n", (int)len, data);
  return size * n;
}

/* Prints each line of `data` with `prefix`. */
static void lines(const char *prefix, const char *data, size_t size) {
  size_t start = 0;
  for (size_t i = 0; i < size; i++) {
    if (data[i] == '\n') {
      size_t end = i;
      if (end > start && data[end - 1] == '\r')
        end--;
      if (end > start)
        printf("  %s: %.*s\n", prefix, (int)(end - start), data + start);
      start = i + 1;
    }
  }
}

static int trace(CURL *h, curl_infotype type, char *data, size_t size, void *user) {
  (void)h;
  (void)user;
  if (type == CURLINFO_HEADER_OUT) {
    lines("out", data, size);
  } else if (type == CURLINFO_TEXT) {
    /* Only the words about credentials and another request. */
    char text[512];
    size_t len = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, len);
    text[len] = 0;
    if (strstr(text, "auth") || strstr(text, "Auth") || strstr(text, "Issue another"))
      lines("text", data, size);
  }
  return 0;
}

struct auth_case {
  const char *name;
  const char *path; /* appended to http://ADDR (or http://u:p@ADDR) */
  long methods;     /* CURLOPT_HTTPAUTH; -1: not set */
  const char *userpwd;
  const char *username;
  const char *password;
  const char *bearer;
  int url_credentials;
  const char *post; /* POSTFIELDS, or NULL */
  int performs;     /* times the one handle is performed */
};

static void run(const struct auth_case *c, const char *addr) {
  char url[512];
  CURL *h = curl_easy_init();
  snprintf(url, sizeof url, "http://%s%s%s", c->url_credentials ? "u:p@" : "", addr, c->path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_line);
  if (c->methods != -1)
    printf("%s: setopt HTTPAUTH %d\n", c->name, (int)curl_easy_setopt(h, CURLOPT_HTTPAUTH, c->methods));
  if (c->userpwd)
    curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
  if (c->username)
    curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
  if (c->password)
    curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
  if (c->bearer)
    printf("%s: setopt XOAUTH2_BEARER %d\n", c->name,
           (int)curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, c->bearer));
  if (c->post)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->post);
  for (int i = 0; i < (c->performs ? c->performs : 1); i++) {
    long code = 0, avail = -1;
    CURLcode rc;
    printf("%s:\n", c->name);
    body_bytes = 0;
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_HTTPAUTH_AVAIL, &avail);
    printf("%s: perform %d response %ld avail %ld body %zu\n", c->name, (int)rc, code, avail, body_bytes);
  }
  curl_easy_cleanup(h);
}

int main(int argc, char **argv) {
  static const struct auth_case cases[] = {
    {.name = "basic", .path = "/basic-auth/u/p", .methods = -1, .userpwd = "u:p"},
    {.name = "basic wrong password", .path = "/basic-auth/u/p", .methods = -1, .userpwd = "u:wrong"},
    {.name = "no credentials", .path = "/basic-auth/u/p", .methods = -1},
    {.name = "digest", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest sha-256", .path = "/digest-auth/auth/u/p/SHA-256", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest md5-sess", .path = "/digest-auth/auth/u/p/MD5-sess", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest sha-256-sess", .path = "/digest-auth/auth/u/p/SHA-256-sess", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest without qop", .path = "/digest-auth/none/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest auth-int", .path = "/digest-auth/auth-int/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest query", .path = "/digest-auth/auth/u/p/MD5?a=1&b=2", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "digest wrong password", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:wrong"},
    {.name = "digest to a basic server", .path = "/basic-auth/u/p", .methods = CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "any", .path = "/any-auth/u/p", .methods = CURLAUTH_ANY, .userpwd = "u:p"},
    {.name = "any to a basic server", .path = "/basic-auth/u/p", .methods = CURLAUTH_ANY, .userpwd = "u:p"},
    {.name = "anysafe to a basic server", .path = "/basic-auth/u/p", .methods = CURLAUTH_ANYSAFE, .userpwd = "u:p"},
    {.name = "basic and digest", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_BASIC | CURLAUTH_DIGEST, .userpwd = "u:p"},
    {.name = "username and password", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .username = "u", .password = "p"},
    {.name = "url credentials", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .url_credentials = 1},
    {.name = "option over url", .path = "/basic-auth/o/q", .methods = -1, .userpwd = "o:q", .url_credentials = 1},
    {.name = "bearer", .path = "/bearer-auth/tok", .methods = CURLAUTH_BEARER, .bearer = "tok"},
    {.name = "bearer wrong", .path = "/bearer-auth/tok", .methods = CURLAUTH_BEARER, .bearer = "bad"},
    {.name = "digest post", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:p", .post = "hello"},
    {.name = "basic post", .path = "/basic-auth/u/p", .methods = -1, .userpwd = "u:p", .post = "hello"},
    {.name = "digest twice", .path = "/digest-auth/auth/u/p/MD5", .methods = CURLAUTH_DIGEST, .userpwd = "u:p", .performs = 2},
    {.name = "any twice", .path = "/any-auth/u/p", .methods = CURLAUTH_ANY, .userpwd = "u:p", .performs = 2},
    {.name = "only", .path = "/basic-auth/u/p", .methods = CURLAUTH_BASIC | CURLAUTH_ONLY, .userpwd = "u:p"},
    {.name = "none", .path = "/basic-auth/u/p", .methods = CURLAUTH_NONE, .userpwd = "u:p"},
  };
  if (argc < 2)
    return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run(&cases[i], argv[1]);
  curl_global_cleanup();
  return 0;
}
