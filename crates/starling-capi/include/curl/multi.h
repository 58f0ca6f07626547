#ifndef STARLING_CURL_MULTI_H
#define STARLING_CURL_MULTI_H
/*
 * Starling's libcurl-compatible C interface: the multi interface, with
 * the multi_socket API (curl_multi_socket_action() driven by the
 * application's own event loop). Included by curl.h.
 */

#include <sys/select.h>

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef CURL_STRICTER
typedef struct Curl_multi CURLM;
#else
typedef void CURLM;
#endif

typedef enum {
  CURLM_CALL_MULTI_PERFORM = -1, /* not returned by current libcurl */
  CURLM_OK,                      /* 0 */
  CURLM_BAD_HANDLE,              /* 1 */
  CURLM_BAD_EASY_HANDLE,         /* 2 */
  CURLM_OUT_OF_MEMORY,           /* 3 */
  CURLM_INTERNAL_ERROR,          /* 4 */
  CURLM_BAD_SOCKET,              /* 5 */
  CURLM_UNKNOWN_OPTION,          /* 6 */
  CURLM_ADDED_ALREADY,           /* 7 */
  CURLM_RECURSIVE_API_CALL,      /* 8 */
  CURLM_WAKEUP_FAILURE,          /* 9 */
  CURLM_BAD_FUNCTION_ARGUMENT,   /* 10 */
  CURLM_ABORTED_BY_CALLBACK,     /* 11 */
  CURLM_UNRECOVERABLE_POLL,      /* 12 */
  CURLM_LAST
} CURLMcode;

#define CURLM_CALL_MULTI_SOCKET CURLM_CALL_MULTI_PERFORM

/* CURLMOPT_PIPELINING bits. */
#define CURLPIPE_NOTHING 0L
#define CURLPIPE_HTTP1 1L
#define CURLPIPE_MULTIPLEX 2L

typedef enum {
  CURLMSG_NONE, /* 0 */
  CURLMSG_DONE, /* 1: a transfer finished; data.result is its result */
  CURLMSG_LAST
} CURLMSG;

struct CURLMsg {
  CURLMSG msg;
  CURL *easy_handle;
  union {
    void *whatever;
    CURLcode result;
  } data;
};
typedef struct CURLMsg CURLMsg;

/* Extra descriptors for curl_multi_wait() and curl_multi_poll(). */
#define CURL_WAIT_POLLIN 0x0001
#define CURL_WAIT_POLLPRI 0x0002
#define CURL_WAIT_POLLOUT 0x0004

struct curl_waitfd {
  curl_socket_t fd;
  short events;
  short revents;
};

/* What the socket callback asks the application to wait for. */
#define CURL_POLL_NONE 0
#define CURL_POLL_IN 1
#define CURL_POLL_OUT 2
#define CURL_POLL_INOUT 3
#define CURL_POLL_REMOVE 4

/* curl_multi_socket_action(): the socket argument when a timeout fired. */
#define CURL_SOCKET_TIMEOUT CURL_SOCKET_BAD

/* curl_multi_socket_action(): what happened on the socket. */
#define CURL_CSELECT_IN 0x01
#define CURL_CSELECT_OUT 0x02
#define CURL_CSELECT_ERR 0x04

typedef int (*curl_socket_callback)(CURL *easy, curl_socket_t s, int what,
                                    void *userp, void *socketp);
typedef int (*curl_multi_timer_callback)(CURLM *multi, long timeout_ms,
                                         void *userp);

typedef enum {
  CURLMOPT_SOCKETFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 1,
  CURLMOPT_SOCKETDATA = CURLOPTTYPE_OBJECTPOINT + 2,
  CURLMOPT_PIPELINING = CURLOPTTYPE_LONG + 3,
  CURLMOPT_TIMERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 4,
  CURLMOPT_TIMERDATA = CURLOPTTYPE_OBJECTPOINT + 5,
  CURLMOPT_MAXCONNECTS = CURLOPTTYPE_LONG + 6,
  CURLMOPT_MAX_HOST_CONNECTIONS = CURLOPTTYPE_LONG + 7,
  CURLMOPT_MAX_PIPELINE_LENGTH = CURLOPTTYPE_LONG + 8,
  CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE = CURLOPTTYPE_OFF_T + 9,
  CURLMOPT_CHUNK_LENGTH_PENALTY_SIZE = CURLOPTTYPE_OFF_T + 10,
  CURLMOPT_PIPELINING_SITE_BL = CURLOPTTYPE_OBJECTPOINT + 11,
  CURLMOPT_PIPELINING_SERVER_BL = CURLOPTTYPE_OBJECTPOINT + 12,
  CURLMOPT_MAX_TOTAL_CONNECTIONS = CURLOPTTYPE_LONG + 13,
  CURLMOPT_PUSHFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 14,
  CURLMOPT_PUSHDATA = CURLOPTTYPE_OBJECTPOINT + 15,
  CURLMOPT_MAX_CONCURRENT_STREAMS = CURLOPTTYPE_LONG + 16,
  CURLMOPT_LASTENTRY /* not an option; may grow */
} CURLMoption;

CURL_EXTERN CURLM *curl_multi_init(void);
CURL_EXTERN CURLMcode curl_multi_cleanup(CURLM *multi_handle);
CURL_EXTERN CURLMcode curl_multi_setopt(CURLM *multi_handle,
                                        CURLMoption option, ...);
CURL_EXTERN CURLMcode curl_multi_add_handle(CURLM *multi_handle,
                                            CURL *curl_handle);
CURL_EXTERN CURLMcode curl_multi_remove_handle(CURLM *multi_handle,
                                               CURL *curl_handle);
CURL_EXTERN CURLMcode curl_multi_assign(CURLM *multi_handle,
                                        curl_socket_t sockfd, void *sockp);
CURL_EXTERN CURLMcode curl_multi_socket_action(CURLM *multi_handle,
                                               curl_socket_t s,
                                               int ev_bitmask,
                                               int *running_handles);
/* The forms of curl_multi_socket_action() before it: a socket's event
   without its kind, and every socket and timer at once. */
CURL_EXTERN CURLMcode curl_multi_socket(CURLM *multi_handle, curl_socket_t s,
                                        int *running_handles);
CURL_EXTERN CURLMcode curl_multi_socket_all(CURLM *multi_handle,
                                            int *running_handles);
#ifndef CURL_ALLOW_OLD_MULTI_SOCKET
/* As libcurl: programs calling curl_multi_socket() get the newer call. */
#define curl_multi_socket(x,y,z) curl_multi_socket_action(x,y,0,z)
#endif

/* HTTP/2 server push: the pushed request's header fields. Starling has
   no HTTP/2 yet, so no push callback runs and both answer NULL. */
struct curl_pushheaders;
#define CURL_PUSH_OK       0
#define CURL_PUSH_DENY     1
#define CURL_PUSH_ERROROUT 2
typedef int (*curl_push_callback)(CURL *parent, CURL *easy,
                                  size_t num_headers,
                                  struct curl_pushheaders *headers,
                                  void *userp);
CURL_EXTERN char *curl_pushheader_bynum(struct curl_pushheaders *h,
                                        size_t num);
CURL_EXTERN char *curl_pushheader_byname(struct curl_pushheaders *h,
                                         const char *name);
CURL_EXTERN CURLMcode curl_multi_timeout(CURLM *multi_handle,
                                         long *milliseconds);
CURL_EXTERN CURLMsg *curl_multi_info_read(CURLM *multi_handle,
                                          int *msgs_in_queue);
CURL_EXTERN const char *curl_multi_strerror(CURLMcode code);
CURL_EXTERN CURLMcode curl_multi_perform(CURLM *multi_handle,
                                         int *running_handles);
CURL_EXTERN CURLMcode curl_multi_wait(CURLM *multi_handle,
                                      struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds,
                                      int timeout_ms,
                                      int *ret);
CURL_EXTERN CURLMcode curl_multi_poll(CURLM *multi_handle,
                                      struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds,
                                      int timeout_ms,
                                      int *ret);
CURL_EXTERN CURLMcode curl_multi_wakeup(CURLM *multi_handle);
/* The sockets to wait on with select(), for programs that call
 * curl_multi_perform; *max_fd is -1 when there is none. */
CURL_EXTERN CURLMcode curl_multi_fdset(CURLM *multi_handle,
                                       fd_set *read_fd_set,
                                       fd_set *write_fd_set,
                                       fd_set *exc_fd_set,
                                       int *max_fd);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_MULTI_H */
