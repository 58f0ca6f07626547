/*
 * HTTP over a Unix domain socket (CURLOPT_UNIX_SOCKET_PATH): the request
 * goes to the socket whatever host the URL names (the Host field still
 * names it), connections are reused per socket path, and a path that is
 * no socket fails as libcurl fails it. Prints each transfer's result,
 * error text, response code, what the server saw of the request, the
 * primary and local addresses libcurl reports and whether the connection
 * was new. Built against Debian's libcurl and against Starling, the
 * outputs must be the same (tests/unix_socket.rs).
 *
 * With a second argument, the same server also listens on a Linux
 * abstract socket of that name (CURLOPT_ABSTRACT_UNIX_SOCKET).
 *
 * usage: unix_socket SOCKET-PATH [ABSTRACT-NAME]
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "inspect_lines.h"

/* The /inspect-like lines the test server answers with. */
static const char *const prefixes[] = {"method", "header host:", NULL};

static void run_on(CURL *easy, const char *title, const char *url,
                   CURLoption option, const char *path)
{
  char error[CURL_ERROR_SIZE] = "";
  char *primary = NULL, *local = NULL;
  long code = -1, connects = -1, port = -1;
  CURLcode result, set;
  printf("%s\n", title);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, inspect_lines);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  set = curl_easy_setopt(easy, option, path);
  if(set)
    printf("  setopt %d\n", (int)set);
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &primary);
  curl_easy_getinfo(easy, CURLINFO_PRIMARY_PORT, &port);
  curl_easy_getinfo(easy, CURLINFO_LOCAL_IP, &local);
  printf("  result %d, code %ld, new connections %ld, primary '%s' port %ld, "
         "local '%s'\n", (int)result, code, connects,
         primary ? primary : "(null)", port, local ? local : "(null)");
  if(result)
    printf("  error: %s\n", error);
}

static void run(CURL *easy, const char *title, const char *url,
                const char *path)
{
  run_on(easy, title, url, CURLOPT_UNIX_SOCKET_PATH, path);
}

int main(int argc, char **argv)
{
  CURL *easy;
  char missing[600];
  if(argc != 2 && argc != 3) {
    fprintf(stderr, "usage: unix_socket SOCKET-PATH [ABSTRACT-NAME]\n");
    return 2;
  }
  snprintf(missing, sizeof(missing), "%s.missing", argv[1]);
  inspect_prefixes = prefixes;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  run(easy, "a host that does not exist", "http://nowhere.invalid/inspect",
      argv[1]);
  run(easy, "again: the connection is reused", "http://nowhere.invalid/inspect",
      argv[1]);
  run(easy, "another host, same socket", "http://other.invalid:8080/inspect",
      argv[1]);
  run(easy, "no such socket", "http://nowhere.invalid/inspect", missing);
  run(easy, "NULL: over TCP again", "http://127.0.0.1:1/inspect", NULL);
  if(argc == 3) {
    run_on(easy, "an abstract socket", "http://abstract.invalid/inspect",
           CURLOPT_ABSTRACT_UNIX_SOCKET, argv[2]);
    run_on(easy, "no such abstract socket", "http://abstract.invalid/inspect",
           CURLOPT_ABSTRACT_UNIX_SOCKET, missing);
    run_on(easy, "a path after it", "http://nowhere.invalid/inspect",
           CURLOPT_UNIX_SOCKET_PATH, argv[1]);
  }
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
