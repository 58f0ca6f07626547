/*
 * The verbose trace as the trace tests print it (tests/trace_words.rs,
 * tests/trace_h2.rs): each text and head line with its mark and without
 * its line end, no date lines, the data only summed (the sizes of the
 * pieces follow each library's reads and writes, their sums do not). What
 * names a memory address is left out: libcurl's lines about a connection
 * bundle ("Found bundle for host: 0x55d0...", which come in a pair with
 * "Can not multiplex"), and the handle after an HTTP/2 stream's id
 * ("Using Stream ID: 1 (easy handle 0x...)").
 */
#ifndef TRACE_LINES_H
#define TRACE_LINES_H

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* Data traced in and out in the current transfer. */
static size_t data_in, data_out;

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *user)
{
  static const char *marks[] = {"*", "<", ">", "{", "}"};
  size_t start = 0, i;
  (void)h;
  (void)user;
  if(type > CURLINFO_DATA_OUT)
    return 0;
  if(type == CURLINFO_DATA_IN || type == CURLINFO_DATA_OUT) {
    *(type == CURLINFO_DATA_IN ? &data_in : &data_out) += size;
    return 0;
  }
  if(type == CURLINFO_TEXT &&
     (strncmp(data, "Found bundle for host", 21) == 0 || strncmp(data, "Can not multiplex", 17) == 0))
    return 0;
  for(i = 0; i <= size; i++) {
    if(i == size || data[i] == '\n') {
      size_t len = i - start;
      const char *line = data + start;
      const char *handle = memchr(line, '(', len);
      if(len && line[len - 1] == '\r')
        len--;
      if(type == CURLINFO_TEXT && strncmp(line, "Using Stream ID", 15) == 0 && handle)
        len = (size_t)(handle - line);
      if(i < size || len)
        if(len < 5 || strncmp(line, "date:", 5) != 0)
          printf("%s %.*s\n", marks[type], (int)len, line);
      start = i + 1;
    }
  }
  return 0;
}

#endif
