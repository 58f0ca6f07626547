#ifndef STARLING_CURL_WEBSOCKETS_H
#define STARLING_CURL_WEBSOCKETS_H
/*
 * Starling's libcurl-compatible C interface: libcurl's WebSocket API for
 * ws:// and wss:// URLs, as libcurl 8.x documents it: with
 * CURLOPT_CONNECT_ONLY 2, curl_ws_recv and curl_ws_send on the upgraded
 * connection; without, the frames go to the write callback (curl_ws_meta
 * describes each inside it) and curl_ws_send answers from there.
 */

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

struct curl_ws_frame {
  int age;              /* zero */
  int flags;            /* CURLWS_* */
  curl_off_t offset;    /* where this data is in the frame */
  curl_off_t bytesleft; /* payload bytes still to come */
  size_t len;           /* size of this piece */
};

#define CURLWS_TEXT       (1<<0)
#define CURLWS_BINARY     (1<<1)
#define CURLWS_CONT       (1<<2)
#define CURLWS_CLOSE      (1<<3)
#define CURLWS_PING       (1<<4)
#define CURLWS_OFFSET     (1<<5)
#define CURLWS_PONG       (1<<6)

/* CURLOPT_WS_OPTIONS bits */
#define CURLWS_RAW_MODE (1<<0)

CURL_EXTERN CURLcode curl_ws_recv(CURL *curl, void *buffer, size_t buflen,
                                  size_t *recv,
                                  struct curl_ws_frame **metap);
CURL_EXTERN CURLcode curl_ws_send(CURL *curl, const void *buffer,
                                  size_t buflen, size_t *sent,
                                  curl_off_t framesize,
                                  unsigned int sendflags);
CURL_EXTERN struct curl_ws_frame *curl_ws_meta(CURL *curl);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_WEBSOCKETS_H */
