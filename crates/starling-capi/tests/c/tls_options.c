/*
 * libcurl's TLS options run as a script from the command line, one word
 * at a time, on one easy handle: each setopt's answer, and each
 * perform's code, status, connections made and (where asked) the error
 * buffer. Built against Debian's libcurl and against Starling, the
 * outputs must be the same (tests/tls_options.rs).
 *
 * usage: tls_options WORD...
 *   url=URL            CURLOPT_URL
 *   new                a new handle (the old one cleaned up)
 *   NAME=VALUE         a string option (CAINFO, CAPATH, PINNEDPUBLICKEY,
 *                      SSLCERT, SSLKEY, SSLCERTTYPE, SSLKEYTYPE, KEYPASSWD)
 *   NAME               that string option set to NULL
 *   NAME=NUMBER        a long option (SSLVERSION, SSL_OPTIONS,
 *                      SSL_VERIFYPEER, SSL_VERIFYHOST)
 *   NAME_BLOB=FILE     a blob option (CAINFO_BLOB, SSLCERT_BLOB,
 *                      SSLKEY_BLOB) with the file's bytes, copied: the
 *                      program's buffer is overwritten right after
 *   NAME_BLOB@=FILE    the same, not copied (CURL_BLOB_NOCOPY): the buffer
 *                      is kept until the handle is cleaned up
 *   NAME_BLOB          that blob option set to NULL
 *   perform            curl_easy_perform: code, status, connections
 *   perform+message    the same and the error buffer (where libcurl's own
 *                      words are expected, not its TLS library's)
 *   perform+said       the same and whether the error buffer is empty
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static CURL *easy;
static char error[CURL_ERROR_SIZE];
/* Buffers of NOCOPY blobs, freed with the handle. */
static void *kept[16];
static int nkept;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)ptr;
  (void)userdata;
  return size * nmemb;
}

static void fresh(void)
{
  int i;
  if(easy)
    curl_easy_cleanup(easy);
  for(i = 0; i < nkept; i++)
    free(kept[i]);
  nkept = 0;
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
}

struct named {
  const char *name;
  CURLoption option;
};

static const struct named strings[] = {
  {"CAINFO", CURLOPT_CAINFO},
  {"CAPATH", CURLOPT_CAPATH},
  {"PINNEDPUBLICKEY", CURLOPT_PINNEDPUBLICKEY},
  {"SSLCERT", CURLOPT_SSLCERT},
  {"SSLKEY", CURLOPT_SSLKEY},
  {"SSLCERTTYPE", CURLOPT_SSLCERTTYPE},
  {"SSLKEYTYPE", CURLOPT_SSLKEYTYPE},
  {"KEYPASSWD", CURLOPT_KEYPASSWD},
  {NULL, CURLOPT_URL}
};

static const struct named longs[] = {
  {"SSLVERSION", CURLOPT_SSLVERSION},
  {"SSL_OPTIONS", CURLOPT_SSL_OPTIONS},
  {"SSL_VERIFYPEER", CURLOPT_SSL_VERIFYPEER},
  {"SSL_VERIFYHOST", CURLOPT_SSL_VERIFYHOST},
  {NULL, CURLOPT_URL}
};

static const struct named blobs[] = {
  {"CAINFO_BLOB", CURLOPT_CAINFO_BLOB},
  {"SSLCERT_BLOB", CURLOPT_SSLCERT_BLOB},
  {"SSLKEY_BLOB", CURLOPT_SSLKEY_BLOB},
  {NULL, CURLOPT_URL}
};

static const struct named *find(const struct named *table, const char *name,
                                size_t len)
{
  for(; table->name; table++)
    if(strlen(table->name) == len && !strncmp(table->name, name, len))
      return table;
  return NULL;
}

/* The whole file, malloc'ed; its size in *len. */
static void *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *data = malloc(1 << 20);
  *len = 0;
  if(f) {
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
  }
  return data;
}

static void perform(const char *how)
{
  long status = -1, connects = -1;
  CURLcode code;
  error[0] = 0;
  code = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
  printf("perform: %d status %ld connects %ld", (int)code, status, connects);
  if(!strcmp(how, "+message"))
    printf(" message '%s'", error);
  else if(!strcmp(how, "+said"))
    printf(" message %s", error[0] ? "set" : "empty");
  printf("\n");
  /* Both libraries' own words, for the reader of a failing test. */
  if(code)
    fprintf(stderr, "perform: %d %s\n", (int)code, error);
}

static void word(const char *w)
{
  const char *eq = strchr(w, '=');
  size_t len = eq ? (size_t)(eq - w) : strlen(w);
  int nocopy = len > 0 && w[len - 1] == '@';
  const struct named *n;
  CURLcode code;
  if(!strcmp(w, "new")) {
    fresh();
    printf("new\n");
    return;
  }
  if(!strncmp(w, "perform", 7)) {
    perform(w + 7);
    return;
  }
  if(!strncmp(w, "url=", 4)) {
    curl_easy_setopt(easy, CURLOPT_URL, w + 4);
    return;
  }
  if((n = find(strings, w, len))) {
    code = curl_easy_setopt(easy, n->option, eq ? eq + 1 : NULL);
    printf("%s %s: %d\n", n->name, eq ? "set" : "NULL", (int)code);
  }
  else if((n = find(longs, w, len)) && eq) {
    long value = strtol(eq + 1, NULL, 0);
    code = curl_easy_setopt(easy, n->option, value);
    printf("%s %#lx: %d\n", n->name, (unsigned long)value, (int)code);
  }
  else if((n = find(blobs, w, len - (size_t)nocopy))) {
    struct curl_blob blob;
    size_t size = 0;
    void *data = eq ? slurp(eq + 1, &size) : NULL;
    blob.data = data;
    blob.len = size;
    blob.flags = nocopy ? CURL_BLOB_NOCOPY : CURL_BLOB_COPY;
    code = curl_easy_setopt(easy, n->option, eq ? &blob : NULL);
    printf("%s %s%s: %d\n", n->name, eq ? "set" : "NULL",
           nocopy ? " (not copied)" : "", (int)code);
    if(data && nocopy && nkept < 16)
      kept[nkept++] = data;
    else if(data) {
      /* A copied blob is the library's own: the program's bytes may go. */
      memset(data, 'x', size);
      free(data);
    }
  }
  else {
    fprintf(stderr, "tls_options: unknown word '%s'\n", w);
    exit(2);
  }
}

int main(int argc, char **argv)
{
  int i;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  fresh();
  for(i = 1; i < argc; i++)
    word(argv[i]);
  curl_easy_cleanup(easy);
  for(i = 0; i < nkept; i++)
    free(kept[i]);
  curl_global_cleanup();
  return 0;
}
