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

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_EASY_H */
