/*
 * A write callback for the test server's /inspect answers: prints the
 * lines that start with one of the prefixes in `inspect_prefixes` (a
 * NULL-terminated list the program sets), indented, and drops the rest.
 */
#ifndef INSPECT_LINES_H
#define INSPECT_LINES_H

#include <stdio.h>
#include <string.h>

static const char *const *inspect_prefixes;

static size_t inspect_lines(char *p, size_t size, size_t n, void *userp)
{
  const char *line = p, *end = p + size * n;
  (void)userp;
  while(line < end) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    size_t len = nl ? (size_t)(nl - line + 1) : (size_t)(end - line);
    const char *const *prefix;
    for(prefix = inspect_prefixes; prefix && *prefix; prefix++)
      if(!strncmp(line, *prefix, strlen(*prefix))) {
        printf("  %.*s", (int)len, line);
        break;
      }
    line += len;
  }
  return size * n;
}

#endif
