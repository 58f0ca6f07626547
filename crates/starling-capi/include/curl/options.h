#ifndef STARLING_CURL_OPTIONS_H
#define STARLING_CURL_OPTIONS_H
/*
 * Starling's libcurl-compatible C interface: option introspection, a
 * table of every easy option libcurl knows (name, number, type), with
 * libcurl's names and numbers. Included by curl.h.
 */

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an option takes. */
typedef enum {
  CURLOT_LONG,    /* long, a range of values */
  CURLOT_VALUES,  /* long, a set of values or a bitmask */
  CURLOT_OFF_T,   /* curl_off_t */
  CURLOT_OBJECT,  /* void * */
  CURLOT_STRING,  /* char *, a NUL-terminated string */
  CURLOT_SLIST,   /* struct curl_slist * */
  CURLOT_CBPTR,   /* void * handed to a callback as it is */
  CURLOT_BLOB,    /* struct curl_blob * */
  CURLOT_FUNCTION /* a function pointer */
} curl_easytype;

/* An old name kept for old programs; another name is preferred. */
#define CURLOT_FLAG_ALIAS (1<<0)

/* One option: its name without the CURLOPT_ prefix, its number, its type
   and its flags. The entries are static. */
struct curl_easyoption {
  const char *name;
  CURLoption id;
  curl_easytype type;
  unsigned int flags;
};

/* The option of this name (any case, aliases included), or NULL. */
CURL_EXTERN const struct curl_easyoption *
curl_easy_option_by_name(const char *name);

/* The option of this number (never an alias), or NULL. */
CURL_EXTERN const struct curl_easyoption *
curl_easy_option_by_id(CURLoption id);

/* The first option for NULL, else the one after prev; NULL at the end. */
CURL_EXTERN const struct curl_easyoption *
curl_easy_option_next(const struct curl_easyoption *prev);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STARLING_CURL_OPTIONS_H */
