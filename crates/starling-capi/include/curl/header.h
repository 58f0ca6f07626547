#ifndef STARLING_CURL_HEADER_H
#define STARLING_CURL_HEADER_H
/*
 * Starling's libcurl-compatible C interface: the header API, the response
 * header fields of a transfer's requests, by name or one after another,
 * with libcurl's names, numbers and layout. Included by curl.h.
 */

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One header field, as curl_easy_header() and curl_easy_nextheader()
   give it. */
struct curl_header {
  char *name;          /* as the server sent it */
  char *value;         /* surrounding white space removed */
  size_t amount;       /* how many fields of this name there are */
  size_t index;        /* which of them this is, from 0 */
  unsigned int origin; /* one of the CURLH_ bits below (others reserved) */
  void *anchor;        /* the library's own */
};

/* Where a field came from (the origin bits). */
#define CURLH_HEADER    (1<<0) /* a response head */
#define CURLH_TRAILER   (1<<1) /* the trailers after a chunked body */
#define CURLH_CONNECT   (1<<2) /* a proxy's answer to CONNECT */
#define CURLH_1XX       (1<<3) /* an interim 1xx head */
#define CURLH_PSEUDO    (1<<4) /* HTTP/2 and HTTP/3 pseudo headers */

/* What the header API's functions return. */
typedef enum {
  CURLHE_OK,
  CURLHE_BADINDEX,      /* 1: the field is there, not that many times */
  CURLHE_MISSING,       /* 2: no such field */
  CURLHE_NOHEADERS,     /* 3: no fields at all (yet) */
  CURLHE_NOREQUEST,     /* 4: no request of that number */
  CURLHE_OUT_OF_MEMORY, /* 5 */
  CURLHE_BAD_ARGUMENT,  /* 6: a NULL argument, or an origin or request
                           number out of range */
  CURLHE_NOT_BUILT_IN   /* 7: the API is left out of the build */
} CURLHcode;

/* The index-th field called name (any case) among those of the origins
   asked for, of request number request (0 the first, -1 the last). *hout
   is the handle's one struct, overwritten by the next call of either
   function; its strings last until the handle's next transfer. */
CURL_EXTERN CURLHcode curl_easy_header(CURL *easy,
                                       const char *name,
                                       size_t index,
                                       unsigned int origin,
                                       int request,
                                       struct curl_header **hout);

/* The field after prev (the first for NULL) of the origins asked for, of
   request number request; NULL after the last. */
CURL_EXTERN struct curl_header *curl_easy_nextheader(CURL *easy,
                                                     unsigned int origin,
                                                     int request,
                                                     struct curl_header *prev);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_HEADER_H */
