/*
 * Callbacks the C test programs share: a write callback that drops the
 * body, and a read callback that gives up to *left bytes of 'x' per call.
 * Inline, so that a program using only one of them builds with -Werror.
 */
#ifndef BODY_CALLBACKS_H
#define BODY_CALLBACKS_H

#include <string.h>

static inline size_t discard(char *data, size_t size, size_t n, void *user)
{
  (void)data;
  (void)user;
  return size * n;
}

/* Up to *left bytes of 'x' per call, from the read callback. */
static inline size_t produce(char *buf, size_t size, size_t n, void *user)
{
  size_t *left = user;
  size_t len = size * n < *left ? size * n : *left;
  memset(buf, 'x', len);
  *left -= len;
  return len;
}

#endif
