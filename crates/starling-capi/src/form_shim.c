/*
 * curl_formadd, libcurl's variadic form builder. Stable Rust cannot read
 * a va_list, so this reads the CURLFORM_* list (and the struct curl_forms
 * arrays given with CURLFORM_ARRAY) and passes each option with its
 * argument, read by its type, to the typed functions in
 * src/mime/formadd.rs, which keep libcurl's rules. As in libcurl, the
 * option itself is read as an int, the lengths as long (CURLFORM_CONTENTLEN
 * as curl_off_t), the rest as pointers; an array entry's value is a
 * pointer, which the lengths take as a number.
 */
#include <stdarg.h>
#include <stddef.h>
#include "curl/curl.h"

void *starling_formadd_begin(void);
int starling_formadd_option(void *builder, int option, const void *ptr,
                            long num, curl_off_t off);
int starling_formadd_end(void *builder, struct curl_httppost **httppost,
                         struct curl_httppost **last_post, int code);

/* Reads the argument of a (not array) option; 0 when the option is no
   option of libcurl's, whose argument is then not read. */
static int read_argument(int option, va_list *args, const void **ptr,
                         long *num, curl_off_t *off)
{
  switch(option) {
  case CURLFORM_NAMELENGTH:
  case CURLFORM_CONTENTSLENGTH:
  case CURLFORM_BUFFERLENGTH:
    *num = va_arg(*args, long);
    return 1;
  case CURLFORM_CONTENTLEN:
    *off = va_arg(*args, curl_off_t);
    return 1;
  case CURLFORM_COPYNAME:
  case CURLFORM_PTRNAME:
  case CURLFORM_COPYCONTENTS:
  case CURLFORM_PTRCONTENTS:
  case CURLFORM_FILECONTENT:
  case CURLFORM_ARRAY:
  case CURLFORM_FILE:
  case CURLFORM_BUFFER:
  case CURLFORM_BUFFERPTR:
  case CURLFORM_CONTENTTYPE:
  case CURLFORM_CONTENTHEADER:
  case CURLFORM_FILENAME:
  case CURLFORM_STREAM:
    *ptr = va_arg(*args, const void *);
    return 1;
  default:
    return 0;
  }
}

CURLFORMcode curl_formadd(struct curl_httppost **httppost,
                          struct curl_httppost **last_post, ...)
{
  va_list args;
  void *builder = starling_formadd_begin();
  int result = builder ? CURL_FORMADD_OK : CURL_FORMADD_MEMORY;
  const struct curl_forms *array = NULL;

  va_start(args, last_post);
  while(result == CURL_FORMADD_OK) {
    int option;
    const void *ptr = NULL;
    long num = 0;
    curl_off_t off = 0;
    if(array) {
      option = (int)array->option;
      ptr = array->value;
      num = (long)(size_t)ptr;
      off = (curl_off_t)(size_t)ptr;
      array++;
      if(option == CURLFORM_END) {
        array = NULL;
        continue;
      }
      if(option == CURLFORM_ARRAY) {
        /* No array inside an array. */
        result = CURL_FORMADD_ILLEGAL_ARRAY;
        break;
      }
    }
    else {
      option = va_arg(args, int);
      if(option == CURLFORM_END)
        break;
      if(!read_argument(option, &args, &ptr, &num, &off)) {
        result = CURL_FORMADD_UNKNOWN_OPTION;
        break;
      }
      if(option == CURLFORM_ARRAY) {
        array = (const struct curl_forms *)ptr;
        if(!array)
          result = CURL_FORMADD_NULL;
        continue;
      }
    }
    result = starling_formadd_option(builder, option, ptr, num, off);
  }
  va_end(args);
  if(!builder)
    return CURL_FORMADD_MEMORY;
  return (CURLFORMcode)starling_formadd_end(builder, httppost, last_post,
                                            result);
}
