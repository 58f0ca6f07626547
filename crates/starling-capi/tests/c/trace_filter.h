/*
 * The trace as the proxy and credentials tests print it
 * (tests/cookies.rs, tests/netrc.rs, tests/socks.rs): a text line when it
 * holds one of `trace_words`, as "  text: LINE", and the outgoing field
 * that starts with `trace_field` (say "Cookie: "), as "  sent: FIELD".
 * Each program sets the two before its first transfer.
 */
#ifndef TRACE_FILTER_H
#define TRACE_FILTER_H

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* NULL-terminated; NULL: no text line is printed. */
static const char *const *trace_words;
/* NULL: no outgoing field is printed. */
static const char *trace_field;

static int trace(CURL *h, curl_infotype type, char *data, size_t size, void *user)
{
  char text[2048];
  size_t len = size < sizeof text - 1 ? size : sizeof text - 1;
  (void)h;
  (void)user;
  memcpy(text, data, len);
  text[len] = 0;
  if(type == CURLINFO_HEADER_OUT && trace_field) {
    char *line = strstr(text, trace_field);
    if(line) {
      char *end = strchr(line, '\r');
      if(end)
        *end = 0;
      printf("  sent: %s\n", line);
    }
  }
  else if(type == CURLINFO_TEXT && trace_words) {
    const char *const *word;
    for(word = trace_words; *word; word++) {
      if(strstr(text, *word)) {
        printf("  text: %s", text);
        break;
      }
    }
  }
  return 0;
}

#endif
