/*
 * The trace's word for credentials sent: "Server auth using Basic with
 * user '...'" for USERPWD, for a URL's credentials, for a user with no
 * password, and none for a request that brings its own Authorization.
 * Built against Debian's libcurl and against Starling, the outputs must
 * be the same (tests/auth_trace.rs).
 *
 * usage: auth_trace HOST:PORT
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size,
                    void *userp)
{
  (void)easy;
  (void)userp;
  if(type == CURLINFO_TEXT && size > 11 && !strncmp(data, "Server auth", 11))
    printf("  %.*s", (int)size, data);
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static void run(const char *title, const char *url, const char *userpwd,
                const char *header)
{
  struct curl_slist *list = NULL;
  CURL *easy = curl_easy_init();
  printf("%s\n", title);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  if(userpwd)
    curl_easy_setopt(easy, CURLOPT_USERPWD, userpwd);
  if(header) {
    list = curl_slist_append(list, header);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  }
  printf("  result %d\n", (int)curl_easy_perform(easy));
  curl_easy_cleanup(easy);
  curl_slist_free_all(list);
}

int main(int argc, char **argv)
{
  char plain[256], creds[256];
  if(argc != 2) {
    fprintf(stderr, "usage: auth_trace HOST:PORT\n");
    return 2;
  }
  snprintf(plain, sizeof(plain), "http://%s/bytes/3", argv[1]);
  snprintf(creds, sizeof(creds), "http://urluser:pw@%s/bytes/3", argv[1]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run("USERPWD", plain, "alice:secret", NULL);
  run("no password", plain, "bob", NULL);
  run("URL credentials", creds, NULL, NULL);
  run("both", creds, "alice:secret", NULL);
  run("own Authorization", plain, "alice:secret", "Authorization: Bearer x");
  run("none", plain, NULL, NULL);
  curl_global_cleanup();
  return 0;
}
