/*
 * Request bodies as a libcurl program gives them, each sent to the test
 * server's /inspect route, which answers with what it received (method,
 * body length and checksum, chunked or not, Expect, every header). The
 * program prints each answer; built against Debian's libcurl and against
 * Starling, the two outputs must be the same (tests/post_bodies.rs).
 *
 * usage: post_bodies URL-OF-/inspect
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

/* A body the read callback produces: LEFT bytes of a repeating pattern. */
struct source {
  size_t left;
  size_t offset;
};

static size_t on_read(char *buffer, size_t size, size_t nitems, void *userdata)
{
  struct source *s = userdata;
  size_t room = size * nitems, n = s->left < room ? s->left : room, i;
  for(i = 0; i < n; i++)
    buffer[i] = (char)('a' + (s->offset + i) % 26);
  s->offset += n;
  s->left -= n;
  return n;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
  (void)userdata;
  fwrite(ptr, size, nmemb, stdout);
  return size * nmemb;
}

/* The options a case sets beyond the URL and the write callback. */
enum body_kind { NONE, FIELDS, COPIED, READ };

struct scenario {
  const char *name;
  enum body_kind kind;
  const char *fields;   /* POSTFIELDS / COPYPOSTFIELDS */
  long fields_size;     /* POSTFIELDSIZE, -1: not set */
  size_t read_len;      /* bytes the read callback gives */
  int post;             /* CURLOPT_POST 1 */
  int upload;           /* CURLOPT_UPLOAD 1 */
  long long infilesize; /* INFILESIZE_LARGE, -1: not set */
  long long postsize;   /* POSTFIELDSIZE_LARGE for a read body, -1: not set */
  const char *header;   /* one HTTPHEADER line, or NULL */
  const char *custom;   /* CUSTOMREQUEST, or NULL */
};

static const struct scenario scenarios[] = {
  {"postfields", FIELDS, "a=1&b=2", -1, 0, 0, 0, -1, -1, NULL, NULL},
  {"postfields-empty", FIELDS, "", -1, 0, 0, 0, -1, -1, NULL, NULL},
  {"postfields-sized", FIELDS, "abcdefgh", 5, 0, 0, 0, -1, -1, NULL, NULL},
  {"copypostfields", COPIED, "x=y", -1, 0, 0, 0, -1, -1, NULL, NULL},
  {"postfields-own-type", FIELDS, "{}", -1, 0, 0, 0, -1, -1,
   "Content-Type: application/json", NULL},
  {"postfields-no-type", FIELDS, "raw", -1, 0, 0, 0, -1, -1, "Content-Type:", NULL},
  {"postfields-patch", FIELDS, "p=1", -1, 0, 0, 0, -1, -1, NULL, "PATCH"},
  {"post-read-small", READ, NULL, -1, 10, 1, 0, -1, -1, NULL, NULL},
  {"post-read-3mib", READ, NULL, -1, 3 << 20, 1, 0, -1, -1, NULL, NULL},
  {"post-read-sized", READ, NULL, -1, 100000, 1, 0, -1, 100000, NULL, NULL},
  {"post-read-sized-2mib", READ, NULL, -1, 2 << 20, 1, 0, -1, 2 << 20, NULL, NULL},
  {"post-read-no-expect", READ, NULL, -1, 3 << 20, 1, 0, -1, -1, "Expect:", NULL},
  {"post-read-empty", READ, NULL, -1, 0, 1, 0, -1, -1, NULL, NULL},
  {"post-read-own-chunked", READ, NULL, -1, 5000, 1, 0, -1, -1,
   "Transfer-Encoding: chunked", NULL},
  {"put-sized", READ, NULL, -1, 70000, 0, 1, 70000, -1, NULL, NULL},
  {"put-chunked", READ, NULL, -1, 70000, 0, 1, -1, -1, NULL, NULL},
  {"post-upload", READ, NULL, -1, 500, 1, 1, 500, -1, NULL, "POST"},
};

static void run(CURL *easy, const char *url, const struct scenario *sc)
{
  struct source src = {sc->read_len, 0};
  struct curl_slist *headers = NULL;
  CURLcode result;
  long code = 0;
  curl_easy_reset(easy);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(sc->kind == FIELDS)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, sc->fields);
  if(sc->kind == COPIED)
    curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, sc->fields);
  if(sc->fields_size >= 0)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, sc->fields_size);
  if(sc->kind == READ) {
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &src);
  }
  if(sc->post)
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
  if(sc->upload)
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  if(sc->infilesize >= 0)
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sc->infilesize);
  if(sc->postsize >= 0)
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)sc->postsize);
  if(sc->header) {
    headers = curl_slist_append(headers, sc->header);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  }
  if(sc->custom)
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, sc->custom);
  printf("== %s\n", sc->name);
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  printf("-- result %d, status %ld, read left %zu\n", (int)result, code, src.left);
  curl_slist_free_all(headers);
}

int main(int argc, char **argv)
{
  CURL *easy;
  size_t i;
  if(argc != 2) {
    fprintf(stderr, "usage: post_bodies URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  easy = curl_easy_init();
  for(i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
    run(easy, argv[1], &scenarios[i]);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  return 0;
}
