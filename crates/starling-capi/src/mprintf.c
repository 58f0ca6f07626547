/*
 * libcurl's printf family (curl_mprintf and the rest). libcurl formats
 * with its own engine, which takes the same conversions as the C library's
 * for everything programs pass it; these hand the work to the C library
 * and keep libcurl's answers where they differ: curl_m(v)snprintf returns
 * how many characters it stored (not how many the whole output has), and
 * curl_m(v)aprintf returns a malloc()ed string that curl_free releases.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "curl/curl.h"

int curl_mvsnprintf(char *buffer, size_t maxlength, const char *format,
                    va_list args)
{
  int n;
  if(!maxlength)
    return 0;
  n = vsnprintf(buffer, maxlength, format, args);
  if(n < 0) {
    buffer[0] = 0;
    return 0;
  }
  if((size_t)n >= maxlength)
    return (int)(maxlength - 1);
  return n;
}

int curl_msnprintf(char *buffer, size_t maxlength, const char *format, ...)
{
  va_list args;
  int n;
  va_start(args, format);
  n = curl_mvsnprintf(buffer, maxlength, format, args);
  va_end(args);
  return n;
}

int curl_mvsprintf(char *buffer, const char *format, va_list args)
{
  return vsprintf(buffer, format, args);
}

int curl_msprintf(char *buffer, const char *format, ...)
{
  va_list args;
  int n;
  va_start(args, format);
  n = curl_mvsprintf(buffer, format, args);
  va_end(args);
  return n;
}

int curl_mvfprintf(FILE *fd, const char *format, va_list args)
{
  return vfprintf(fd, format, args);
}

int curl_mfprintf(FILE *fd, const char *format, ...)
{
  va_list args;
  int n;
  va_start(args, format);
  n = curl_mvfprintf(fd, format, args);
  va_end(args);
  return n;
}

int curl_mvprintf(const char *format, va_list args)
{
  return vprintf(format, args);
}

int curl_mprintf(const char *format, ...)
{
  va_list args;
  int n;
  va_start(args, format);
  n = curl_mvprintf(format, args);
  va_end(args);
  return n;
}

char *curl_mvaprintf(const char *format, va_list args)
{
  va_list again;
  char *out;
  int n;
  va_copy(again, args);
  n = vsnprintf(NULL, 0, format, again);
  va_end(again);
  if(n < 0)
    return NULL;
  out = malloc((size_t)n + 1);
  if(out)
    vsnprintf(out, (size_t)n + 1, format, args);
  return out;
}

char *curl_maprintf(const char *format, ...)
{
  va_list args;
  char *out;
  va_start(args, format);
  out = curl_mvaprintf(format, args);
  va_end(args);
  return out;
}
