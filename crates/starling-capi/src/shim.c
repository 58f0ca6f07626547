/*
 * The variadic entry points of libcurl's API. Stable Rust cannot define C
 * variadic functions, so these read the one argument by the option's
 * family (libcurl's numbering: LONG 0, OBJECTPOINT 10000, FUNCTIONPOINT
 * 20000, OFF_T 30000, BLOB 40000; info types in the 0xf00000 bits) and
 * call the typed functions written in Rust.
 */
#include <stdarg.h>
#include "curl/curl.h"

CURLcode starling_easy_setopt_long(CURL *easy, int option, long value);
CURLcode starling_easy_setopt_ptr(CURL *easy, int option, void *value);
CURLcode starling_easy_setopt_func(CURL *easy, int option, void (*value)(void));
CURLcode starling_easy_setopt_off(CURL *easy, int option, curl_off_t value);
void starling_easy_explain_not_built_in(CURL *easy, int option);
CURLcode starling_easy_getinfo(CURL *easy, int info, void *out);
CURLMcode starling_multi_setopt_long(CURLM *multi, int option, long value);
CURLMcode starling_multi_setopt_ptr(CURLM *multi, int option, void *value);
CURLMcode starling_multi_setopt_func(CURLM *multi, int option, void (*value)(void));
CURLMcode starling_multi_setopt_off(CURLM *multi, int option, curl_off_t value);

CURLcode curl_easy_setopt(CURL *easy, CURLoption option, ...)
{
  va_list args;
  CURLcode result;
  int family = (int)option / 10000;
  va_start(args, option);
  switch(family) {
  case 0:
    result = starling_easy_setopt_long(easy, (int)option, va_arg(args, long));
    break;
  case 1:
  case 4:
    result = starling_easy_setopt_ptr(easy, (int)option, va_arg(args, void *));
    break;
  case 2:
    result = starling_easy_setopt_func(easy, (int)option,
                                       va_arg(args, void (*)(void)));
    break;
  case 3:
    result = starling_easy_setopt_off(easy, (int)option,
                                      va_arg(args, curl_off_t));
    break;
  default:
    result = CURLE_UNKNOWN_OPTION;
  }
  va_end(args);
  if(result == CURLE_NOT_BUILT_IN)
    starling_easy_explain_not_built_in(easy, (int)option);
  return result;
}

CURLcode curl_easy_getinfo(CURL *easy, CURLINFO info, ...)
{
  va_list args;
  CURLcode result;
  va_start(args, info);
  /* Every info type is returned through a pointer. */
  result = starling_easy_getinfo(easy, (int)info, va_arg(args, void *));
  va_end(args);
  return result;
}

CURLMcode curl_multi_setopt(CURLM *multi, CURLMoption option, ...)
{
  va_list args;
  CURLMcode result;
  int family = (int)option / 10000;
  va_start(args, option);
  switch(family) {
  case 0:
    result = starling_multi_setopt_long(multi, (int)option,
                                        va_arg(args, long));
    break;
  case 1:
    result = starling_multi_setopt_ptr(multi, (int)option,
                                       va_arg(args, void *));
    break;
  case 2:
    result = starling_multi_setopt_func(multi, (int)option,
                                        va_arg(args, void (*)(void)));
    break;
  case 3:
    result = starling_multi_setopt_off(multi, (int)option,
                                       va_arg(args, curl_off_t));
    break;
  default:
    result = CURLM_UNKNOWN_OPTION;
  }
  va_end(args);
  return result;
}

CURLSHcode starling_share_setopt(CURLSH *share, int option, long number,
                                 void *pointer, void (*func)(void));

CURLSHcode curl_share_setopt(CURLSH *share, CURLSHoption option, ...)
{
  va_list args;
  CURLSHcode result;
  va_start(args, option);
  /* libcurl reads SHARE and UNSHARE's kind as an int, the callbacks as
     function pointers, USERDATA as a pointer; other options read none. */
  switch((int)option) {
  case CURLSHOPT_SHARE:
  case CURLSHOPT_UNSHARE:
    result = starling_share_setopt(share, (int)option,
                                   (long)va_arg(args, int), NULL, NULL);
    break;
  case CURLSHOPT_LOCKFUNC:
  case CURLSHOPT_UNLOCKFUNC:
    result = starling_share_setopt(share, (int)option, 0, NULL,
                                   va_arg(args, void (*)(void)));
    break;
  case CURLSHOPT_USERDATA:
    result = starling_share_setopt(share, (int)option, 0,
                                   va_arg(args, void *), NULL);
    break;
  default:
    result = starling_share_setopt(share, (int)option, 0, NULL, NULL);
  }
  va_end(args);
  return result;
}
