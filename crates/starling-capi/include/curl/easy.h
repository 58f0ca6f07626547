#ifndef STARLING_CURL_EASY_H
#define STARLING_CURL_EASY_H
/*
 * Starling's libcurl-compatible C interface: the easy interface.
 * Included by curl.h; include <curl/curl.h> rather than this file.
 */

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bytes of a _BLOB option (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB,
   ...). flags: CURL_BLOB_COPY or CURL_BLOB_NOCOPY (curl.h); Starling
   copies the bytes either way. */
struct curl_blob {
  void *data;
  size_t len;
  unsigned int flags;
};

CURL_EXTERN CURL *curl_easy_init(void);
CURL_EXTERN CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...);
CURL_EXTERN CURLcode curl_easy_perform(CURL *curl);
CURL_EXTERN void curl_easy_cleanup(CURL *curl);
CURL_EXTERN CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...);
CURL_EXTERN CURL *curl_easy_duphandle(CURL *curl);
CURL_EXTERN void curl_easy_reset(CURL *curl);
CURL_EXTERN CURLcode curl_easy_pause(CURL *curl, int bitmask);
CURL_EXTERN const char *curl_easy_strerror(CURLcode code);
/* URL encoding; free the results with curl_free. */
CURL_EXTERN char *curl_easy_escape(CURL *handle, const char *string,
                                   int length);
CURL_EXTERN char *curl_easy_unescape(CURL *handle, const char *string,
                                     int length, int *outlength);
/* Sending and receiving raw bytes on the connection a CURLOPT_CONNECT_ONLY
   transfer left open (CURLE_AGAIN: nothing to read, or no room). */
CURL_EXTERN CURLcode curl_easy_recv(CURL *curl, void *buffer, size_t buflen,
                                    size_t *n);
CURL_EXTERN CURLcode curl_easy_send(CURL *curl, const void *buffer,
                                    size_t buflen, size_t *n);
/* Keeps a handle's idle connections alive (HTTP/2 pings); nothing to do
   for HTTP/1.1 connections. */
CURL_EXTERN CURLcode curl_easy_upkeep(CURL *curl);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_EASY_H */
