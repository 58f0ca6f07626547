/*
 * libcurl's header API after an HTTP/2 transfer (prior knowledge): the
 * response's ":status" is kept as a pseudo-header (CURLH_PSEUDO), apart
 * from the fields, as libcurl keeps it.
 *
 *   header_api_h2 URL
 *
 * Prints the names (not the values: a date differs from run to run) that
 * curl_easy_nextheader walks for each origin mask, and curl_easy_header's
 * answers for ":status" and "content-length" with each mask.
 */
#include <stdio.h>

#include <curl/curl.h>

static size_t discard(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static void walk(CURL *e, unsigned int origin)
{
  struct curl_header *h = NULL;
  printf("walk %#x:", origin);
  while((h = curl_easy_nextheader(e, origin, -1, h)))
    printf(" %s(%zu/%zu %#x)", h->name, h->index, h->amount, h->origin);
  putchar('\n');
}

static void ask(CURL *e, const char *name, unsigned int origin)
{
  struct curl_header *h = NULL;
  CURLHcode code = curl_easy_header(e, name, 0, origin, -1, &h);
  printf("header %s %#x: %d", name, origin, (int)code);
  if(code == CURLHE_OK)
    printf(" %s=[%s] %zu/%zu %#x", h->name, h->value, h->index, h->amount,
           h->origin);
  putchar('\n');
}

int main(int argc, char **argv)
{
  static const unsigned int masks[] = {
    CURLH_HEADER, CURLH_PSEUDO, CURLH_HEADER | CURLH_PSEUDO,
    CURLH_HEADER | CURLH_TRAILER | CURLH_CONNECT | CURLH_1XX | CURLH_PSEUDO
  };
  CURL *e;
  size_t i;
  if(argc != 2) {
    fprintf(stderr, "usage: header_api_h2 URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, argv[1]);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
  printf("perform %d\n", (int)curl_easy_perform(e));
  for(i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
    walk(e, masks[i]);
    ask(e, ":status", masks[i]);
    ask(e, "content-length", masks[i]);
  }
  curl_easy_cleanup(e);
  curl_global_cleanup();
  return 0;
}
