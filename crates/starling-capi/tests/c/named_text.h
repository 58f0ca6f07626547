/*
 * Output that must read the same on two runs whose ports (or other
 * values) differ: print_named prints text with each value replaced by its
 * name, and read_quoted_date reads a cache file's "YYYYMMDD HH:MM:SS"
 * date (libcurl's HSTS and alt-svc files), so that a program can print
 * its distance from now instead.
 */
#ifndef NAMED_TEXT_H
#define NAMED_TEXT_H

#include <stdio.h>
#include <string.h>
#include <time.h>

struct named {
  const char *value;
  const char *name;
};

/* Prints `len` bytes of `text`, each of the `n` values as its name. */
static void print_named(const char *text, size_t len,
                        const struct named *names, size_t n)
{
  const char *p = text, *end = text + len;
  while(p < end) {
    size_t i;
    for(i = 0; i < n; i++) {
      size_t vlen = strlen(names[i].value);
      if(vlen && (size_t)(end - p) >= vlen && !strncmp(p, names[i].value, vlen)) {
        fputs(names[i].name, stdout);
        p += vlen;
        break;
      }
    }
    if(i == n)
      putchar(*p++);
  }
}

/* The time of the date after `quote` (a line's opening quote), in UTC;
   0 when it is not one. */
static time_t read_quoted_date(const char *quote)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if(sscanf(quote + 1, "%4d%2d%2d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
            &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

#endif
