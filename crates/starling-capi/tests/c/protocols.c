/*
 * Which schemes a handle may use (CURLOPT_PROTOCOLS(_STR)), which a
 * redirect may lead to (CURLOPT_REDIR_PROTOCOLS(_STR)), and which methods
 * a POST keeps through a 301, 302 or 303 (CURLOPT_POSTREDIR): the setopt
 * answers, and each transfer's result, error text, response code, redirect
 * count and what the last request was. Built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/protocols.rs).
 *
 * usage: protocols BASE-URL (http://127.0.0.1:PORT)
 */
/* CURLOPT_PROTOCOLS and CURLOPT_REDIR_PROTOCOLS are deprecated, still used. */
#define CURL_DISABLE_DEPRECATION
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "inspect_lines.h"

static const char *base;

/* The /inspect lines that say what the last request was. */
static const char *const prefixes[] = {"method", "body-len", NULL};

static void setopt_str(CURLoption option, const char *name, const char *value)
{
  CURL *easy = curl_easy_init();
  CURLcode code = curl_easy_setopt(easy, option, value);
  printf("%s \"%s\": %d\n", name, value ? value : "(null)", (int)code);
  curl_easy_cleanup(easy);
}

static void setopt_long(CURLoption option, const char *name, long value)
{
  CURL *easy = curl_easy_init();
  CURLcode code = curl_easy_setopt(easy, option, value);
  printf("%s %ld: %d\n", name, value, (int)code);
  curl_easy_cleanup(easy);
}

/* One transfer of PATH on the server (or URL when it has a scheme), with
   OPTION set to the string or long value given. */
static void transfer(const char *title, const char *path, CURLoption option,
                     const char *str, long num, int post)
{
  char url[512], error[CURL_ERROR_SIZE] = "";
  CURL *easy = curl_easy_init();
  CURLcode result;
  long code = -1, redirects = -1;
  char *effective = NULL;
  if(strstr(path, "://"))
    snprintf(url, sizeof(url), "%s", path);
  else
    snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, inspect_lines);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(post)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "a=1&b=2");
  if(option) {
    CURLcode set = option < CURLOPTTYPE_OBJECTPOINT ?
                   curl_easy_setopt(easy, option, num) :
                   curl_easy_setopt(easy, option, str);
    if(set)
      printf("  setopt: %d\n", (int)set);
  }
  printf("%s\n", title);
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
  curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
  /* The port differs from run to run: only the path part is printed. */
  if(effective && !strncmp(effective, base, strlen(base)))
    effective += strlen(base);
  printf("  result %d, code %ld, redirects %ld, at %s\n", (int)result, code,
         redirects, effective ? effective : "(null)");
  if(result)
    printf("  error: %s\n", error);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  static const char *lists[] = {
    "http", "HTTP,https", "https", "all", "ALL", "", ",", "http,,https",
    "http,bogus", "ftp", "http,ftp,ftps", "dict,file,gopher,imap,ldap,mqtt",
    "pop3,rtsp,smb,smtp,telnet,tftp,scp,sftp", "ws", "http ", NULL
  };
  static const long postredir[] = {0, 1, 2, 3, 4, 7, 8, -1};
  static const int codes[] = {301, 302, 303};
  char path[256];
  size_t i, j;
  if(argc != 2) {
    fprintf(stderr, "usage: protocols BASE-URL\n");
    return 2;
  }
  base = argv[1];
  inspect_prefixes = prefixes;
  curl_global_init(CURL_GLOBAL_DEFAULT);

  for(i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
    setopt_str(CURLOPT_PROTOCOLS_STR, "protocols_str", lists[i]);
    setopt_str(CURLOPT_REDIR_PROTOCOLS_STR, "redir_protocols_str", lists[i]);
  }
  setopt_long(CURLOPT_PROTOCOLS, "protocols", CURLPROTO_HTTP);
  setopt_long(CURLOPT_PROTOCOLS, "protocols", 0);
  setopt_long(CURLOPT_PROTOCOLS, "protocols", -1);
  setopt_long(CURLOPT_REDIR_PROTOCOLS, "redir_protocols", CURLPROTO_HTTPS);
  setopt_long(CURLOPT_REDIR_PROTOCOLS, "redir_protocols", 0);
  for(i = 0; i < sizeof(postredir) / sizeof(postredir[0]); i++)
    setopt_long(CURLOPT_POSTREDIR, "postredir", postredir[i]);

  transfer("http allowed", "/bytes/3", CURLOPT_PROTOCOLS_STR, "http", 0, 0);
  transfer("http refused (str)", "/bytes/3", CURLOPT_PROTOCOLS_STR, "https",
           0, 0);
  transfer("http refused (long)", "/bytes/3", CURLOPT_PROTOCOLS, NULL,
           CURLPROTO_HTTPS, 0);
  transfer("nothing allowed", "/bytes/3", CURLOPT_PROTOCOLS, NULL, 0, 0);
  transfer("https refused", "https://127.0.0.1:1/", CURLOPT_PROTOCOLS_STR,
           "http", 0, 0);
  transfer("redirect allowed", "/redirect/302?to=%2Finspect",
           CURLOPT_REDIR_PROTOCOLS_STR, "http", 0, 0);
  transfer("redirect refused (str)", "/redirect/302?to=%2Finspect",
           CURLOPT_REDIR_PROTOCOLS_STR, "https", 0, 0);
  transfer("redirect refused (long)", "/redirect/301?to=%2Finspect",
           CURLOPT_REDIR_PROTOCOLS, NULL, CURLPROTO_HTTPS, 0);
  transfer("redirect allowed but not for a start", "/redirect/302?to=%2Finspect",
           CURLOPT_PROTOCOLS_STR, "https", 0, 0);
  transfer("redirect to https refused",
           "/redirect/302?to=https%3A%2F%2F127.0.0.1%3A1%2F",
           CURLOPT_REDIR_PROTOCOLS_STR, "http", 0, 0);
  transfer("second redirect refused",
           "/redirect/302?to=%2Fredirect%2F307%3Fto%3Dhttps%253A%252F%252F127.0.0.1%253A1%252F",
           CURLOPT_REDIR_PROTOCOLS, NULL, CURLPROTO_HTTP, 0);

  for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    for(j = 0; j < sizeof(postredir) / sizeof(postredir[0]); j++) {
      char title[64];
      if(postredir[j] < 0 || postredir[j] > 7)
        continue;
      snprintf(path, sizeof(path), "/redirect/%d?to=%%2Finspect", codes[i]);
      snprintf(title, sizeof(title), "POST %d, postredir %ld", codes[i],
               postredir[j]);
      transfer(title, path, CURLOPT_POSTREDIR, NULL, postredir[j], 1);
    }
  curl_global_cleanup();
  return 0;
}
