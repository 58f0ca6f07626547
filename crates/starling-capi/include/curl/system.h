#ifndef STARLING_CURL_SYSTEM_H
#define STARLING_CURL_SYSTEM_H
/*
 * Starling's libcurl-compatible C interface: platform types.
 *
 * Written for Starling; the names, types and values follow libcurl's
 * documented public API so that programs written for libcurl compile
 * against these headers unchanged.
 */

#include <sys/types.h>
#include <sys/socket.h>

/* A 64-bit signed integer for file sizes and byte counts. */
#if defined(__LP64__) || defined(_LP64)
typedef long curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "ld"
#define CURL_FORMAT_CURL_OFF_TU "lu"
#define CURL_SUFFIX_CURL_OFF_T L
#define CURL_SUFFIX_CURL_OFF_TU UL
#else
typedef long long curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "lld"
#define CURL_FORMAT_CURL_OFF_TU "llu"
#define CURL_SUFFIX_CURL_OFF_T LL
#define CURL_SUFFIX_CURL_OFF_TU ULL
#endif

#define CURLINC_OFF_T_C_HLPR2(val, suffix) val ## suffix
#define CURLINC_OFF_T_C_HLPR1(val, suffix) CURLINC_OFF_T_C_HLPR2(val, suffix)
#define CURL_OFF_T_C(val) CURLINC_OFF_T_C_HLPR1(val, CURL_SUFFIX_CURL_OFF_T)
#define CURL_OFF_TU_C(val) CURLINC_OFF_T_C_HLPR1(val, CURL_SUFFIX_CURL_OFF_TU)

typedef socklen_t curl_socklen_t;

/* A socket: a file descriptor on POSIX systems. */
#ifndef curl_socket_typedef
typedef int curl_socket_t;
#define CURL_SOCKET_BAD -1
#define curl_socket_typedef
#endif

#endif /* STARLING_CURL_SYSTEM_H */
