/*
 * What a libcurl program sees of the heads of one transfer, byte for byte:
 *
 *   head_lines [--header] URL [FIELD...]
 *
 * fetches URL with FOLLOWLOCATION on and each FIELD ("Name: value") in
 * CURLOPT_HTTPHEADER, and prints, one line each, with bytes outside
 * printable ASCII escaped (\r, \n, \xNN):
 *
 *   sent BYTES     each request head as sent (CURLINFO_HEADER_OUT of the
 *                  debug callback, with CURLOPT_VERBOSE)
 *   header BYTES   each call of the header callback
 *   write BYTES    everything the write callback got, at the end (with
 *                  --header, CURLOPT_HEADER puts the heads there too, and
 *                  no header callback is set)
 *   result R status S redirects N
 *
 * The test runs it built against libcurl and against Starling and
 * requires the same output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* The write callback's bytes, kept whole: how a body is split into calls
 * depends on how it arrived, not on the library. */
struct buffer {
  char *data;
  size_t len;
};

static void print_escaped(const char *tag, const char *data, size_t len)
{
  size_t i;
  printf("%s ", tag);
  for(i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if(c == '\r')
      fputs("\\r", stdout);
    else if(c == '\n')
      fputs("\\n", stdout);
    else if(c == '\\')
      fputs("\\\\", stdout);
    else if(c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  putchar('\n');
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)userdata;
  print_escaped("header", ptr, size * nmemb);
  return size * nmemb;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  struct buffer *b = userdata;
  size_t n = size * nmemb;
  char *grown = realloc(b->data, b->len + n + 1);
  if(!grown)
    return 0;
  memcpy(grown + b->len, ptr, n);
  b->data = grown;
  b->len += n;
  return n;
}

static int on_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata)
{
  (void)handle;
  (void)userdata;
  if(type == CURLINFO_HEADER_OUT)
    print_escaped("sent", data, size);
  return 0;
}

int main(int argc, char **argv)
{
  CURL *easy;
  struct curl_slist *fields = NULL;
  struct buffer body = {NULL, 0};
  int header_in_body = 0, first = 1, i;
  long status = 0, redirects = 0;
  CURLcode result;
  if(argc > 1 && !strcmp(argv[1], "--header")) {
    header_in_body = 1;
    first = 2;
  }
  if(argc <= first) {
    fprintf(stderr, "usage: head_lines [--header] URL [FIELD...]\n");
    return 2;
  }
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return 1;
  easy = curl_easy_init();
  if(!easy)
    return 1;
  for(i = first + 1; i < argc; i++)
    fields = curl_slist_append(fields, argv[i]);
  curl_easy_setopt(easy, CURLOPT_URL, argv[first]);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, fields);
  curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(easy, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  if(header_in_body)
    curl_easy_setopt(easy, CURLOPT_HEADER, 1L);
  else
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
  print_escaped("write", body.data ? body.data : "", body.len);
  printf("result %d status %ld redirects %ld\n", (int)result, status, redirects);
  free(body.data);
  curl_slist_free_all(fields);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
