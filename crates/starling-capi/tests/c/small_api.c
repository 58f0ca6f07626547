/*
 * libcurl's small exported functions, each called the ways programs call
 * them, one line per result: curl_getdate on a table of dates,
 * curl_strequal/strnequal, the curl_m*printf family, the deprecated
 * curl_multi_socket/socket_all, curl_pushheader_*, curl_easy_send/recv/
 * upkeep without a CONNECT_ONLY connection, the WebSocket functions,
 * curl_global_init_mem, and the version the library reports. Built
 * against Debian's libcurl and against Starling, the two outputs must be
 * the same (tests/small_api.rs), except the lines starting "only:", which
 * name the library.
 */
/* The deprecated functions are called on purpose. */
#define CURL_DISABLE_DEPRECATION
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <curl/mprintf.h>

static const char *dates[] = {
  "Sun, 06 Nov 1994 08:49:37 GMT",
  "Sunday, 06-Nov-94 08:49:37 GMT",
  "Sun Nov  6 08:49:37 1994",
  "06 Nov 1994 08:49:37 GMT",
  "06-Nov-94 08:49:37 GMT",
  "Nov  6 08:49:37 1994",
  "06 Nov 1994 08:49:37",
  "06-Nov-94 08:49:37",
  "1994 Nov 6 08:49:37",
  "GMT 08:49:37 06-Nov-94 Sunday",
  "94 6 Nov 08:49:37",
  "1994 Nov 6",
  "06-Nov-94",
  "Sun Nov 6 94",
  "1994.Nov.6",
  "Sun/Nov/6/94/GMT",
  "Sun, 06 Nov 1994 08:49:37 CET",
  "06 Nov 1994 08:49:37 EST",
  "Sun, 12 Sep 2004 15:05:58 -0700",
  "Sat, 11 Sep 2004 21:32:11 +0200",
  "20040912 15:05:58 -0700",
  "20040911 +0200",
  "Thu, 01-Jan-1970 00:59:59 GMT",
  "Thu, 01-Jan-1970 01:00:00 GMT",
  "Sat, 15-Apr-17 21:01:22 GMT",
  "Thu, 19-Apr-2007 16:00:00 GMT",
  "Wed, 25 Apr 2007 21:02:13 GMT",
  "Thu Apr 18 22:50:12 2007 GMT",
  "Thu Apr 18 22:50 2007 GMT",
  "Thu Apr 18 22:50:12 2007 GMT+1",
  "Thu Apr 18 22:50:12 2007 +0130",
  "Thu Apr 18 22:50:12 2007 -1400",
  "Thu Apr 18 22:50:12 2007 +1401",
  "31 Dec 1969 23:59:59 GMT",
  "31 Dec 1969 23:59:58 GMT",
  "1 Jan 1970 00:00:00 GMT",
  "29 Feb 2000 12:00:00 GMT",
  "29 Feb 1900 12:00:00 GMT",
  "1 Mar 2100 00:00:00",
  "31 Dec 9999 23:59:59 GMT",
  "1 Jan 1583",
  "31 Dec 1582 23:59:59",
  "1 Jan 1583 +0100",
  "1 Jan 1066",
  "1 Jan 70",
  "1 Jan 71",
  "1 Jan 0",
  "1 Jan 00:00",
  "Jan 1",
  "1 Jan",
  "Mon",
  "",
  "   ",
  "garbage",
  "Mon, 32 Jan 2000",
  "Mon, 0 Jan 2000",
  "Mon, 31 Jan 2000 24:00:00",
  "Mon, 31 Jan 2000 23:60:00",
  "Mon, 31 Jan 2000 23:59:60",
  "Mon, 31 Jan 2000 23:59:61",
  "Mon, 31 Jan 2000 1:2:3",
  "Mon, 31 Jan 2000 1:2",
  "Mon, 31 Jan 2000 123:45:67",
  "Mon, 31 Jan 2000 12: 34: 56",
  "Mon, 31 Jan 2000 12:-4:56",
  "Mon, 31 Jan 2000 12:34:56:78",
  "Mon Mon 31 Jan 2000",
  "Jan Jan 31 2000",
  "31 Jan 2000 GMT GMT",
  "31 Jan 2000 A",
  "31 Jan 2000 J",
  "31 Jan 2000 z",
  "31 Jan 2000 nzdt",
  "31 JAN 2000 MONDAY",
  "31 Janu 2000",
  "31 January 2000",
  "Abcdefghijkl 31 Jan 2000",
  "Abcdefghijk 31 Jan 2000",
  "31 Jan 2000 08:49:37 GMT extra words here",
  "1 2 3 4 5 6 7",
  "Jan 1 2000 1 2 3 4",
  "2000 1 Jan",
  "99999999999 Jan 2000",
  "2147483647 Jan 2000",
  "1 Jan 2147483647",
  "1 Jan 292277026596",
  "19700101",
  "19691231 23:59:59",
  "20001301",
  "20000132",
  "+0100 1 Jan 2000",
  "1 Jan 2000 +01:00",
  "1 Jan 2000 0100",
  "1 Jan 2000 -0000",
  "Sun, 06 Nov 1994 08:49:37 UT",
  "Sun, 06 Nov 1994 08:49:37 UTC",
  "Sun, 06 Nov 1994 08:49:37 MESZ",
  "Sun, 06 Nov 1994 08:49:37 IDLE",
  "Sun, 06 Nov 1994 08:49:37 AHST",
  "Sun, 06 Nov 1994 08:49:37 PDT",
  "\t06\tNov\t1994\t",
  "06\nNov\n1994",
  NULL
};

static void getdate_table(void)
{
  size_t i;
  for(i = 0; dates[i]; i++)
    printf("getdate [%s] %ld\n", dates[i], (long)curl_getdate(dates[i], NULL));
}

static void compare_strings(void)
{
  printf("strequal %d %d %d %d %d %d\n", curl_strequal("abc", "ABC"),
         curl_strequal("abc", "abd"), curl_strequal("", ""),
         curl_strequal("a", "ab"), curl_strequal(NULL, NULL),
         curl_strequal("a", NULL));
  printf("strnequal %d %d %d %d %d %d\n", curl_strnequal("abcX", "ABCY", 3),
         curl_strnequal("abc", "abd", 3), curl_strnequal("abc", "ab", 5),
         curl_strnequal("x", "y", 0), curl_strnequal(NULL, NULL, 1),
         curl_strnequal(NULL, NULL, 0));
}

static int via_v(char *buf, size_t max, const char *fmt, ...)
{
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = curl_mvsnprintf(buf, max, fmt, ap);
  va_end(ap);
  return n;
}

static char *via_va(const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start(ap, fmt);
  s = curl_mvaprintf(fmt, ap);
  va_end(ap);
  return s;
}

static void printf_family(void)
{
  char buf[64];
  char *s;
  int n;
  size_t max;
  for(max = 0; max < 8; max++) {
    memset(buf, 'x', sizeof(buf));
    n = curl_msnprintf(buf, max, "%d-%s", 12345, "ab");
    printf("msnprintf max %zu: %d [%.*s] nul %d\n", max, n,
           max ? (int)strlen(buf) : 0, buf, max ? (int)strlen(buf) : -1);
  }
  n = curl_msprintf(buf, "%5.2f|%-4s|%x|%ld|%lld|%zu|%c|%%", 3.14159, "ab",
                    255, -7L, (long long)1 << 40, (size_t)9, 'q');
  printf("msprintf %d [%s]\n", n, buf);
  n = via_v(buf, sizeof(buf), "%s=%d", "v", 42);
  printf("mvsnprintf %d [%s]\n", n, buf);
  s = curl_maprintf("%s/%05d/%s", "pre", 42, "");
  printf("maprintf [%s]\n", s ? s : "(null)");
  curl_free(s);
  s = via_va("%*d|%-*d|", 4, 1, 3, 2);
  printf("mvaprintf [%s]\n", s ? s : "(null)");
  curl_free(s);
  fflush(stdout);
  n = curl_mprintf("mprintf %s\n", "to stdout");
  fflush(stdout);
  printf("mprintf returned %d\n", n);
  n = curl_mfprintf(stdout, "mfprintf %d\n", 7);
  fflush(stdout);
  printf("mfprintf returned %d\n", n);
}

static void deprecated_and_missing(void)
{
  CURLM *multi = curl_multi_init();
  CURL *easy = curl_easy_init();
  char errbuf[CURL_ERROR_SIZE];
  char data[16];
  size_t n = 99;
  int running = -1;
  struct curl_ws_frame *meta;
  int code = (int)curl_multi_socket_all(multi, &running);
  printf("multi_socket_all %d running %d\n", code, running);
  running = -1;
  code = (int)curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
  printf("multi_socket_action timeout %d running %d\n", code, running);
  printf("pushheader %p %p\n", (void *)curl_pushheader_bynum(NULL, 0),
         (void *)curl_pushheader_byname(NULL, ":path"));
  errbuf[0] = 0;
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  printf("easy_send %d n %zu [%s]\n", (int)curl_easy_send(easy, "x", 1, &n), n,
         errbuf);
  errbuf[0] = 0;
  n = 99;
  printf("easy_recv %d n %zu [%s]\n",
         (int)curl_easy_recv(easy, data, sizeof(data), &n), n, errbuf);
  {
    struct curl_tlssessioninfo *tls = NULL;
    int code2 = (int)curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &tls);
    printf("tls_ssl_ptr %d internals %p\n", code2, tls ? tls->internals : (void *)1);
    printf("only: tls backend %d\n", tls ? (int)tls->backend : -1);
  }
  printf("easy_upkeep %d\n", (int)curl_easy_upkeep(easy));
  printf("easy_upkeep NULL %d\n", (int)curl_easy_upkeep(NULL));
  /* Debian's 7.88 has no WebSocket (CURLE_NOT_BUILT_IN); Starling
     answers as libcurl 8.x for a handle without one. */
  n = 99;
  code = (int)curl_ws_send(easy, "x", 1, &n, 0, CURLWS_TEXT);
  printf("only: ws_send %d n %zu\n", code, n);
  n = 99;
  meta = NULL;
  code = (int)curl_ws_recv(easy, data, sizeof(data), &n, &meta);
  printf("only: ws_recv %d n %zu meta %p\n", code, n, (void *)meta);
  printf("ws_meta %p\n", (void *)curl_ws_meta(easy));
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
}

static void global_and_version(void)
{
  curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  const char *const *p;
  printf("init_mem NULLs %d\n",
         (int)curl_global_init_mem(CURL_GLOBAL_DEFAULT, NULL, NULL, NULL, NULL, NULL));
  printf("init_mem libc %d\n",
         (int)curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, free, realloc,
                                   strdup, calloc));
  curl_global_cleanup();
  printf("version_num %06x age %d version %s\n", v->version_num, (int)v->age,
         v->version);
  printf("LIBCURL_VERSION_NUM %06x at least 7.88.0 %d\n", LIBCURL_VERSION_NUM,
         CURL_AT_LEAST_VERSION(7, 88, 0));
  printf("has http %d https %d\n",
         (v->features & CURL_VERSION_SSL) != 0, (v->features & CURL_VERSION_LIBZ) != 0);
  printf("only: version %s ssl %s features %x\n", curl_version(), v->ssl_version,
         (unsigned)v->features);
  {
    const curl_ssl_backend **avail = NULL;
    int by_id = (int)curl_global_sslset(CURLSSLBACKEND_RUSTLS, NULL, &avail);
    int other = (int)curl_global_sslset(CURLSSLBACKEND_GNUTLS, NULL, NULL);
    int by_name = (int)curl_global_sslset((curl_sslbackend)-1, "RusTLS", NULL);
    printf("only: sslset rustls %d gnutls %d by name %d first %s\n", by_id, other,
           by_name, avail && avail[0] ? avail[0]->name : "(none)");
  }
  for(p = v->protocols; *p; p++)
    printf("only: protocol %s\n", *p);
  for(p = v->feature_names; p && *p; p++)
    printf("only: feature %s\n", *p);
}

int main(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  getdate_table();
  compare_strings();
  printf_family();
  deprecated_and_missing();
  global_and_version();
  curl_global_cleanup();
  return 0;
}
