/*
 * The infos a program reads after a transfer, other than times: for a
 * redirect not followed (with CURLOPT_FILETIME and CURLOPT_REFERER set),
 * a 401 offering two authentication methods, and a refused connect.
 * Built against Debian's libcurl and against Starling, the outputs must
 * be the same (tests/infos.rs).
 *
 * usage: infos REDIRECT-URL AUTH-URL REFUSED-URL
 */
#include <stdio.h>

#include <curl/curl.h>

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
  (void)p;
  (void)userdata;
  return size * n;
}

#define LONG_INFO(i) do {                                           \
    long v = -7;                                                    \
    CURLcode c = curl_easy_getinfo(easy, i, &v);                    \
    printf("  %s %d %ld\n", #i, (int)c, v);                         \
  } while(0)

#define OFF_INFO(i) do {                                            \
    curl_off_t v = -7;                                              \
    CURLcode c = curl_easy_getinfo(easy, i, &v);                    \
    printf("  %s %d %ld\n", #i, (int)c, (long)v);                   \
  } while(0)

#define STRING_INFO(i) do {                                         \
    char *v = (char *)"unset";                                      \
    CURLcode c = curl_easy_getinfo(easy, i, &v);                    \
    printf("  %s %d %s\n", #i, (int)c, v ? v : "(null)");           \
  } while(0)

#define LIST_INFO(i) do {                                           \
    struct curl_slist *v = (struct curl_slist *)1;                  \
    CURLcode c = curl_easy_getinfo(easy, i, &v);                    \
    printf("  %s %d %s\n", #i, (int)c, v ? "a list" : "(null)");    \
    if(v && v != (struct curl_slist *)1)                            \
      curl_slist_free_all(v);                                       \
  } while(0)

static void run(const char *url, int filetime, const char *referer)
{
  CURL *easy = curl_easy_init();
  CURLcode result;
  curl_socket_t sock = 7;
  struct curl_certinfo *certs = NULL;
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(filetime)
    curl_easy_setopt(easy, CURLOPT_FILETIME, 1L);
  if(referer)
    curl_easy_setopt(easy, CURLOPT_REFERER, referer);
  result = curl_easy_perform(easy);
  printf("== result %d\n", (int)result);
  LONG_INFO(CURLINFO_RESPONSE_CODE);
  LONG_INFO(CURLINFO_SSL_VERIFYRESULT);
  LONG_INFO(CURLINFO_PROXY_SSL_VERIFYRESULT);
  LONG_INFO(CURLINFO_FILETIME);
  OFF_INFO(CURLINFO_FILETIME_T);
  LONG_INFO(CURLINFO_HTTPAUTH_AVAIL);
  LONG_INFO(CURLINFO_PROXYAUTH_AVAIL);
  LONG_INFO(CURLINFO_OS_ERRNO);
  LONG_INFO(CURLINFO_CONDITION_UNMET);
  LONG_INFO(CURLINFO_RTSP_CLIENT_CSEQ);
  LONG_INFO(CURLINFO_RTSP_SERVER_CSEQ);
  LONG_INFO(CURLINFO_RTSP_CSEQ_RECV);
  LONG_INFO(CURLINFO_PROXY_ERROR);
  LONG_INFO(CURLINFO_REDIRECT_COUNT);
  STRING_INFO(CURLINFO_REDIRECT_URL);
  STRING_INFO(CURLINFO_EFFECTIVE_METHOD);
  STRING_INFO(CURLINFO_REFERER);
  STRING_INFO(CURLINFO_FTP_ENTRY_PATH);
  STRING_INFO(CURLINFO_RTSP_SESSION_ID);
  LIST_INFO(CURLINFO_COOKIELIST);
  curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &sock);
  printf("  CURLINFO_ACTIVESOCKET %d\n", (int)sock);
  curl_easy_getinfo(easy, CURLINFO_CERTINFO, &certs);
  printf("  CURLINFO_CERTINFO %d\n", certs ? certs->num_of_certs : -1);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  if(argc != 4) {
    fprintf(stderr, "usage: infos REDIRECT-URL AUTH-URL REFUSED-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run(argv[1], 1, "http://from.test/");
  run(argv[1], 0, NULL);
  run(argv[2], 0, NULL);
  run(argv[3], 0, NULL);
  curl_global_cleanup();
  return 0;
}
