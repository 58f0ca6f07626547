/*
 * The infos scripting languages' bindings read after every transfer
 * (PHP's curl_getinfo() asks for each of them), on requests of several
 * kinds: FILETIME, SSL_VERIFYRESULT, PROXY_SSL_VERIFYRESULT, CERTINFO,
 * CONTENT_LENGTH_UPLOAD, REDIRECT_URL, REDIRECT_TIME, EFFECTIVE_METHOD,
 * REQUEST_SIZE (the heads and the bodies sent in one buffer with them),
 * and whether each time's double form is its _T form in seconds (libcurl
 * keeps times in microseconds). Built against Debian's libcurl and
 * against Starling, the two outputs must be the same (tests/binding_infos.rs).
 *
 *   binding_infos BASE-URL     (BASE-URL: the test server, http://127.0.0.1:PORT)
 */
/* PHP reads the double forms of the sizes, deprecated since 7.55. */
#define CURL_DISABLE_DEPRECATION
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "body_callbacks.h"

/* Whether a time's double form is its _T form in seconds. */
static int same_time(CURL *h, CURLINFO as_double, CURLINFO as_t)
{
  double d = -1;
  curl_off_t us = -1;
  curl_easy_getinfo(h, as_double, &d);
  curl_easy_getinfo(h, as_t, &us);
  return d == (double)us / 1000000.0;
}

/* curl_easy_getinfo's code and the value, as "CODE VALUE". */
static void show_long(const char *name, CURL *h, CURLINFO info)
{
  long v = -99;
  int rc = (int)curl_easy_getinfo(h, info, &v);
  printf("  %s %d %ld\n", name, rc, v);
}

static void show_off(const char *name, CURL *h, CURLINFO info)
{
  curl_off_t v = -99;
  int rc = (int)curl_easy_getinfo(h, info, &v);
  printf("  %s %d %ld\n", name, rc, (long)v);
}

static void show_double(const char *name, CURL *h, CURLINFO info)
{
  double v = -99;
  int rc = (int)curl_easy_getinfo(h, info, &v);
  printf("  %s %d %.0f\n", name, rc, v);
}

static void show_string(const char *name, CURL *h, CURLINFO info)
{
  char *v = NULL;
  int rc = (int)curl_easy_getinfo(h, info, &v);
  printf("  %s %d %s\n", name, rc, v ? v : "(null)");
}

/* A time's sign: what a test can compare of it. */
static void show_time_sign(const char *name, CURL *h, CURLINFO as_double, CURLINFO as_t)
{
  double d = -99;
  curl_off_t us = -99;
  int rc1 = (int)curl_easy_getinfo(h, as_double, &d);
  int rc2 = (int)curl_easy_getinfo(h, as_t, &us);
  printf("  %s %d %s %d %s\n", name, rc1, d > 0 ? "positive" : d == 0 ? "zero" : "negative", rc2,
         us > 0 ? "positive" : us == 0 ? "zero" : "negative");
}

static void report(const char *label, CURL *h, CURLcode rc)
{
  struct curl_certinfo *certs = NULL;
  int certs_rc;
  printf("%s: rc %d\n", label, (int)rc);
  show_long("filetime", h, CURLINFO_FILETIME);
  show_off("filetime_t", h, CURLINFO_FILETIME_T);
  show_long("ssl_verifyresult", h, CURLINFO_SSL_VERIFYRESULT);
  show_long("proxy_ssl_verifyresult", h, CURLINFO_PROXY_SSL_VERIFYRESULT);
  certs_rc = (int)curl_easy_getinfo(h, CURLINFO_CERTINFO, &certs);
  if(certs)
    printf("  certinfo %d %d %s\n", certs_rc, certs->num_of_certs, certs->certinfo ? "list" : "NULL");
  else
    printf("  certinfo %d none\n", certs_rc);
  show_double("content_length_upload", h, CURLINFO_CONTENT_LENGTH_UPLOAD);
  show_off("content_length_upload_t", h, CURLINFO_CONTENT_LENGTH_UPLOAD_T);
  show_string("redirect_url", h, CURLINFO_REDIRECT_URL);
  show_string("effective_method", h, CURLINFO_EFFECTIVE_METHOD);
  show_long("response_code", h, CURLINFO_RESPONSE_CODE);
  show_long("request_size", h, CURLINFO_REQUEST_SIZE);
  show_long("redirect_count", h, CURLINFO_REDIRECT_COUNT);
  show_time_sign("redirect_time", h, CURLINFO_REDIRECT_TIME, CURLINFO_REDIRECT_TIME_T);
  printf("  times in microseconds %d%d%d%d%d%d%d\n",
         same_time(h, CURLINFO_TOTAL_TIME, CURLINFO_TOTAL_TIME_T),
         same_time(h, CURLINFO_NAMELOOKUP_TIME, CURLINFO_NAMELOOKUP_TIME_T),
         same_time(h, CURLINFO_CONNECT_TIME, CURLINFO_CONNECT_TIME_T),
         same_time(h, CURLINFO_APPCONNECT_TIME, CURLINFO_APPCONNECT_TIME_T),
         same_time(h, CURLINFO_PRETRANSFER_TIME, CURLINFO_PRETRANSFER_TIME_T),
         same_time(h, CURLINFO_STARTTRANSFER_TIME, CURLINFO_STARTTRANSFER_TIME_T),
         same_time(h, CURLINFO_REDIRECT_TIME, CURLINFO_REDIRECT_TIME_T));
}

/* One request on a fresh handle: URL base + path; what sets it up. */
enum kind { GET, POSTFIELDS, BIG_POST, PUT_SIZED, PUT_CHUNKED, MIME, HEAD, PATCH };

/* A POSTFIELDS body above libcurl's 64 KiB for sending with the head. */
static char big[70000];

static void request(const char *label, const char *base, const char *path, enum kind kind, int follow)
{
  char url[512];
  size_t left = 1000;
  curl_mime *mime = NULL;
  CURL *h = curl_easy_init();
  CURLcode rc;
  snprintf(url, sizeof url, "%s%s", base, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, (long)follow);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  switch(kind) {
  case GET:
    break;
  case POSTFIELDS:
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "a=1&b=2");
    break;
  case BIG_POST:
    memset(big, 'y', sizeof big);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)sizeof big);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, big);
    break;
  case PUT_SIZED:
  case PUT_CHUNKED:
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, produce);
    curl_easy_setopt(h, CURLOPT_READDATA, &left);
    if(kind == PUT_SIZED)
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)left);
    break;
  case MIME: {
    curl_mimepart *part;
    mime = curl_mime_init(h);
    part = curl_mime_addpart(mime);
    curl_mime_name(part, "name");
    curl_mime_data(part, "value", CURL_ZERO_TERMINATED);
    curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    break;
  }
  case HEAD:
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    break;
  case PATCH:
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    break;
  }
  rc = curl_easy_perform(h);
  report(label, h, rc);
  if(kind == GET && !follow) {
    /* The same handle again, to a page that does not redirect. */
    curl_easy_setopt(h, CURLOPT_URL, base);
    report("  then a 404 on the same handle", h, curl_easy_perform(h));
  }
  curl_easy_cleanup(h);
  curl_mime_free(mime);
}

int main(int argc, char **argv)
{
  const char *base;
  char path[512];
  CURL *fresh;
  if(argc != 2) {
    fprintf(stderr, "usage: binding_infos BASE-URL\n");
    return 2;
  }
  base = argv[1];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  fresh = curl_easy_init();
  report("a handle before any transfer", fresh, CURLE_OK);
  curl_easy_cleanup(fresh);
  request("GET", base, "/bytes/100", GET, 0);
  request("POSTFIELDS", base, "/inspect", POSTFIELDS, 0);
  request("POSTFIELDS of 70000 bytes", base, "/inspect", BIG_POST, 0);
  request("PUT of 1000 bytes", base, "/inspect", PUT_SIZED, 0);
  request("PUT of unknown size", base, "/inspect", PUT_CHUNKED, 0);
  request("MIME", base, "/inspect", MIME, 0);
  request("HEAD", base, "/bytes/100", HEAD, 0);
  request("PATCH", base, "/status/204", PATCH, 0);
  request("302 not followed", base, "/redirect/302?to=%2Fbytes%2F10", GET, 0);
  request("302 followed", base, "/redirect/302?to=%2Fbytes%2F10", GET, 1);
  request("relative 301 not followed", base, "/redirect/301?to=..%2Fa%2F.%2Fb%3Fc%3Dd%23frag", GET, 0);
  snprintf(path, sizeof path, "/redirect/307?to=http%%3A%%2F%%2Fother.example%%3A99%%2Fx%%20y");
  request("absolute 307 not followed", base, path, GET, 0);
  request("POST then 303 followed", base, "/redirect/303?to=%2Fbytes%2F10", POSTFIELDS, 1);
  request("POST then 302 followed", base, "/redirect/302?to=%2Finspect", POSTFIELDS, 1);
  request("POST then 307 followed", base, "/redirect/307?to=%2Finspect", POSTFIELDS, 1);
  request("PUT then 302 not followed", base, "/redirect/302?to=%2Finspect", PUT_SIZED, 0);
  curl_global_cleanup();
  return 0;
}
