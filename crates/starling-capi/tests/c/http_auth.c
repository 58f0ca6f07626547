/* HTTP authentication as an application sees it (argv[1]: "127.0.0.1:PORT"
 * of a server with the auth routes): CURLOPT_HTTPAUTH's methods and their
 * negotiation, USERPWD, USERNAME and PASSWORD, credentials in the URL,
 * XOAUTH2_BEARER, a wrong password, a POST, and a handle used twice; the
 * same server as a proxy that wants credentials (PROXYUSERPWD,
 * PROXYUSERNAME, PROXYPASSWORD, PROXYAUTH, the proxy string's); and
 * CONNECT tunnels through proxies that want credentials (argv[2]: Basic,
 * argv[3]: Digest, argv[4]: Digest closing after its 407). For
 * each case: every request head sent (Digest's random cnonce and the
 * response hash it makes are replaced by the test), the trace's words
 * about authentication, the header lines received, the body bytes
 * delivered, and the result code, response code, HTTPAUTH_AVAIL,
 * PROXYAUTH_AVAIL and HTTP_CONNECTCODE. */
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
  int proxy;        /* through the server as a proxy, to origin.test */
  long proxy_methods; /* CURLOPT_PROXYAUTH; 0: not set */
  const char *proxy_userpwd;
  const char *proxy_username;
  const char *proxy_password;
  int proxy_url_credentials; /* "http://pu:pp@ADDR" as the proxy */
  int tunnel; /* through the CONNECT proxy argv[1 + tunnel] to localhost */
};

static char **args;

static void run(const struct auth_case *c, const char *addr) {
  char url[512], proxy[512];
  CURL *h = curl_easy_init();
  snprintf(url, sizeof url, "http://%s%s%s", c->url_credentials ? "u:p@" : "",
           c->proxy ? "origin.test" : addr, c->path);
  if (c->tunnel)
    snprintf(url, sizeof url, "http://localhost:%s%s", strchr(addr, ':') + 1, c->path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  if (c->tunnel) {
    curl_easy_setopt(h, CURLOPT_PROXY, args[1 + c->tunnel]);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "");
    curl_easy_setopt(h, CURLOPT_HTTPPROXYTUNNEL, 1L);
  }
  if (c->proxy) {
    snprintf(proxy, sizeof proxy, "http://%s%s", c->proxy_url_credentials ? "pu:pp@" : "", addr);
    curl_easy_setopt(h, CURLOPT_PROXY, proxy);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "");
  }
  if (c->proxy_methods)
    printf("%s: setopt PROXYAUTH %d\n", c->name,
           (int)curl_easy_setopt(h, CURLOPT_PROXYAUTH, c->proxy_methods));
  if (c->proxy_userpwd)
    curl_easy_setopt(h, CURLOPT_PROXYUSERPWD, c->proxy_userpwd);
  if (c->proxy_username)
    curl_easy_setopt(h, CURLOPT_PROXYUSERNAME, c->proxy_username);
  if (c->proxy_password)
    curl_easy_setopt(h, CURLOPT_PROXYPASSWORD, c->proxy_password);
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
    long code = 0, avail = -1, proxy_avail = -1, connect_code = -1;
    CURLcode rc;
    printf("%s:\n", c->name);
    body_bytes = 0;
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(h, CURLINFO_HTTPAUTH_AVAIL, &avail);
    curl_easy_getinfo(h, CURLINFO_PROXYAUTH_AVAIL, &proxy_avail);
    curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    printf("%s: perform %d response %ld avail %ld proxy avail %ld connect %ld body %zu\n", c->name,
           (int)rc, code, avail, proxy_avail, connect_code, body_bytes);
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
    {.name = "proxy basic", .path = "/proxy/basic-auth/pu/pp", .methods = -1, .proxy = 1,
     .proxy_userpwd = "pu:pp"},
    {.name = "proxy basic wrong", .path = "/proxy/basic-auth/pu/pp", .methods = -1, .proxy = 1,
     .proxy_userpwd = "pu:no"},
    {.name = "proxy without credentials", .path = "/proxy/digest-auth/auth/pu/pp/MD5",
     .methods = -1, .proxy = 1},
    {.name = "proxy digest", .path = "/proxy/digest-auth/auth/pu/pp/MD5", .methods = -1,
     .proxy = 1, .proxy_methods = CURLAUTH_DIGEST, .proxy_userpwd = "pu:pp"},
    {.name = "proxy digest sha-256 twice", .path = "/proxy/digest-auth/auth/pu/pp/SHA-256",
     .methods = -1, .proxy = 1, .proxy_methods = CURLAUTH_DIGEST, .proxy_username = "pu",
     .proxy_password = "pp", .performs = 2},
    {.name = "proxy any", .path = "/proxy/any-auth/pu/pp", .methods = -1, .proxy = 1,
     .proxy_methods = CURLAUTH_ANY, .proxy_userpwd = "pu:pp"},
    {.name = "proxy string credentials", .path = "/proxy/basic-auth/pu/pp", .methods = -1,
     .proxy = 1, .proxy_url_credentials = 1},
    {.name = "proxy option over string", .path = "/proxy/basic-auth/pu/other", .methods = -1,
     .proxy = 1, .proxy_url_credentials = 1, .proxy_password = "other"},
    {.name = "proxy digest post", .path = "/proxy/digest-auth/auth/pu/pp/MD5", .methods = -1,
     .proxy = 1, .proxy_methods = CURLAUTH_DIGEST, .proxy_userpwd = "pu:pp", .post = "hello"},
    {.name = "proxy and server", .path = "/proxy/basic-auth/pu/pp", .methods = CURLAUTH_DIGEST,
     .userpwd = "u:p", .proxy = 1, .proxy_userpwd = "pu:pp"},
    {.name = "connect basic", .path = "/bytes/10", .methods = -1, .tunnel = 1,
     .proxy_userpwd = "pu:pp"},
    {.name = "connect basic wrong", .path = "/bytes/10", .methods = -1, .tunnel = 1,
     .proxy_userpwd = "pu:no"},
    {.name = "connect without credentials", .path = "/bytes/10", .methods = -1, .tunnel = 1},
    {.name = "connect digest", .path = "/bytes/10", .methods = -1, .tunnel = 2,
     .proxy_methods = CURLAUTH_DIGEST, .proxy_userpwd = "pu:pp"},
    {.name = "connect any", .path = "/bytes/10", .methods = -1, .tunnel = 2,
     .proxy_methods = CURLAUTH_ANY, .proxy_userpwd = "pu:pp"},
    {.name = "connect digest closing", .path = "/bytes/10", .methods = -1, .tunnel = 3,
     .proxy_methods = CURLAUTH_DIGEST, .proxy_userpwd = "pu:pp"},
    {.name = "connect digest and server digest", .path = "/digest-auth/auth/u/p/MD5",
     .methods = CURLAUTH_DIGEST, .userpwd = "u:p", .tunnel = 2, .proxy_methods = CURLAUTH_DIGEST,
     .proxy_userpwd = "pu:pp"},
  };
  if (argc < 5)
    return 2;
  args = argv;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run(&cases[i], argv[1]);
  curl_global_cleanup();
  return 0;
}
