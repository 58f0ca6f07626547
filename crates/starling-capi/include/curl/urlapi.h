#ifndef STARLING_CURL_URLAPI_H
#define STARLING_CURL_URLAPI_H
/*
 * Starling's libcurl-compatible C interface: the URL API, a URL parser
 * and builder working on CURLU handles, with libcurl's names and numbers.
 * Included by curl.h.
 */

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the URL API's functions return. */
typedef enum {
  CURLUE_OK,
  CURLUE_BAD_HANDLE,          /* 1 */
  CURLUE_BAD_PARTPOINTER,     /* 2 */
  CURLUE_MALFORMED_INPUT,     /* 3 */
  CURLUE_BAD_PORT_NUMBER,     /* 4 */
  CURLUE_UNSUPPORTED_SCHEME,  /* 5 */
  CURLUE_URLDECODE,           /* 6 */
  CURLUE_OUT_OF_MEMORY,       /* 7 */
  CURLUE_USER_NOT_ALLOWED,    /* 8 */
  CURLUE_UNKNOWN_PART,        /* 9 */
  CURLUE_NO_SCHEME,           /* 10 */
  CURLUE_NO_USER,             /* 11 */
  CURLUE_NO_PASSWORD,         /* 12 */
  CURLUE_NO_OPTIONS,          /* 13 */
  CURLUE_NO_HOST,             /* 14 */
  CURLUE_NO_PORT,             /* 15 */
  CURLUE_NO_QUERY,            /* 16 */
  CURLUE_NO_FRAGMENT,         /* 17 */
  CURLUE_NO_ZONEID,           /* 18 */
  CURLUE_BAD_FILE_URL,        /* 19 */
  CURLUE_BAD_FRAGMENT,        /* 20 */
  CURLUE_BAD_HOSTNAME,        /* 21 */
  CURLUE_BAD_IPV6,            /* 22 */
  CURLUE_BAD_LOGIN,           /* 23 */
  CURLUE_BAD_PASSWORD,        /* 24 */
  CURLUE_BAD_PATH,            /* 25 */
  CURLUE_BAD_QUERY,           /* 26 */
  CURLUE_BAD_SCHEME,          /* 27 */
  CURLUE_BAD_SLASHES,         /* 28 */
  CURLUE_BAD_USER,            /* 29 */
  CURLUE_LACKS_IDN,           /* 30 */
  CURLUE_LAST
} CURLUcode;

/* The parts of a URL. */
typedef enum {
  CURLUPART_URL,
  CURLUPART_SCHEME,
  CURLUPART_USER,
  CURLUPART_PASSWORD,
  CURLUPART_OPTIONS,
  CURLUPART_HOST,
  CURLUPART_PORT,
  CURLUPART_PATH,
  CURLUPART_QUERY,
  CURLUPART_FRAGMENT,
  CURLUPART_ZONEID
} CURLUPart;

#define CURLU_DEFAULT_PORT (1<<0)       /* give the scheme's default port */
#define CURLU_NO_DEFAULT_PORT (1<<1)    /* leave out a default port */
#define CURLU_DEFAULT_SCHEME (1<<2)     /* https when there is no scheme */
#define CURLU_NON_SUPPORT_SCHEME (1<<3) /* accept unknown schemes */
#define CURLU_PATH_AS_IS (1<<4)         /* keep . and .. segments */
#define CURLU_DISALLOW_USER (1<<5)      /* refuse user and password */
#define CURLU_URLDECODE (1<<6)          /* decode what is read */
#define CURLU_URLENCODE (1<<7)          /* encode what is set */
#define CURLU_APPENDQUERY (1<<8)        /* add to the query */
#define CURLU_GUESS_SCHEME (1<<9)       /* guess the scheme from the host */
#define CURLU_NO_AUTHORITY (1<<10)      /* allow an empty authority */
#define CURLU_ALLOW_SPACE (1<<11)       /* allow spaces */
#define CURLU_PUNYCODE (1<<12)          /* give host names in punycode */

typedef struct Curl_URL CURLU;

/* A new, empty handle; free it with curl_url_cleanup(). */
CURL_EXTERN CURLU *curl_url(void);

/* Frees a handle; strings read from it stay valid. */
CURL_EXTERN void curl_url_cleanup(CURLU *handle);

/* A copy of a handle, freed with curl_url_cleanup(). */
CURL_EXTERN CURLU *curl_url_dup(CURLU *in);

/* Reads a part into *part, a string to free with curl_free(). */
CURL_EXTERN CURLUcode curl_url_get(CURLU *handle, CURLUPart what,
                                   char **part, unsigned int flags);

/* Sets a part to a copy of the string; NULL clears it. */
CURL_EXTERN CURLUcode curl_url_set(CURLU *handle, CURLUPart what,
                                   const char *part, unsigned int flags);

/* The text of a CURLUcode. */
CURL_EXTERN const char *curl_url_strerror(CURLUcode);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_URLAPI_H */
