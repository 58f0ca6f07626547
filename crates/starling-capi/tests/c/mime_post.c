/*
 * Posts MIME and form bodies (tests/mime.rs runs it built against
 * Starling and against Debian's libcurl and compares what the server
 * received, and what this prints).
 *
 * Usage: mime_post BASE_URL DIR
 * BASE_URL is the recording server's "http://127.0.0.1:PORT"; DIR an empty
 * directory for the files posted. Each case posts to BASE_URL/NAME (or
 * a redirect there) and prints "NAME: code C status S"; curl_formadd's
 * answers and curl_formget's output are printed too.
 */
#define CURL_DISABLE_DEPRECATION
#include <curl/curl.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* struct curl_httppost as programs see it (both headers must agree). */
#if defined(__x86_64__) || defined(__aarch64__)
typedef char check_next[offsetof(struct curl_httppost, next) == 0 ? 1 : -1];
typedef char check_more[offsetof(struct curl_httppost, more) == 72 ? 1 : -1];
typedef char check_flags[offsetof(struct curl_httppost, flags) == 80 ? 1 : -1];
typedef char check_len[offsetof(struct curl_httppost, contentlen) == 104 ? 1 : -1];
typedef char check_size[sizeof(struct curl_httppost) == 112 ? 1 : -1];
#endif

static const char *base;
static char dir[512];
static char big_path[600];
static char notes_path[600];
static char png_path[600];
static char medium_path[600];

/* Writes N pattern bytes into PATH. */
static void make_file(const char *path, long n, int seed)
{
  FILE *f = fopen(path, "wb");
  long i;
  if(!f) {
    perror(path);
    exit(2);
  }
  for(i = 0; i < n; i++)
    fputc((int)((i * 31 + seed + i / 977) & 0xff), f);
  fclose(f);
}

/* A callback part's state: N bytes of a pattern, counting seeks. */
struct source {
  long size;
  long pos;
  int seeks;
  int frees;
};

static size_t source_read(char *buf, size_t size, size_t nitems, void *arg)
{
  struct source *s = arg;
  size_t room = size * nitems;
  size_t n = 0;
  /* Small pieces, so that several reads make one part. */
  if(room > 1000)
    room = 1000;
  while(n < room && s->pos < s->size) {
    buf[n++] = (char)('a' + s->pos % 26);
    s->pos++;
  }
  return n;
}

static int source_seek(void *arg, curl_off_t offset, int origin)
{
  struct source *s = arg;
  if(origin != SEEK_SET)
    return CURL_SEEKFUNC_CANTSEEK;
  s->pos = (long)offset;
  s->seeks++;
  return CURL_SEEKFUNC_OK;
}

static void source_free(void *arg)
{
  struct source *s = arg;
  s->frees++;
}

/* No body is kept: the server's record is what counts. */
static size_t discard(char *p, size_t size, size_t n, void *u)
{
  (void)p;
  (void)u;
  return size * n;
}

static CURL *new_handle(void)
{
  CURL *h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
  return h;
}

/* Performs and prints the outcome as "NAME: code C status S". */
static void perform(CURL *h, const char *name)
{
  long status = 0;
  CURLcode code = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  printf("%s: code %d status %ld\n", name, (int)code, status);
  fflush(stdout);
}

static void set_url(CURL *h, const char *path)
{
  char url[700];
  snprintf(url, sizeof(url), "%s/%s", base, path);
  curl_easy_setopt(h, CURLOPT_URL, url);
}

static void add_data(curl_mime *m, const char *name, const char *data)
{
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, name);
  curl_mime_data(p, data, CURL_ZERO_TERMINATED);
}

/* Text parts: names to escape, sizes, file names, types, no name. */
static void text_parts(void)
{
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p;
  add_data(m, "plain", "hello world");
  add_data(m, "quote\"cr\rlf\n", "value");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "sized");
  curl_mime_data(p, "with\0nul and more", 12);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "typed");
  curl_mime_type(p, "application/json");
  curl_mime_data(p, "{\"a\":1}", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "as-file");
  curl_mime_filename(p, "notes.txt");
  curl_mime_data(p, "text in a file", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(m);
  curl_mime_filename(p, "picture.JPG");
  curl_mime_data(p, "jpeg?", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(m);
  curl_mime_data(p, "no name, no file name", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "empty");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "text-type");
  curl_mime_type(p, "text/plain");
  curl_mime_data(p, "typed text", CURL_ZERO_TERMINATED);
  set_url(h, "text");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "text");
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* Files: a few MB (sent with Expect), guessed types, names changed. */
static void file_parts(void)
{
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "big");
  printf("filedata: %d\n", (int)curl_mime_filedata(p, big_path));
  p = curl_mime_addpart(m);
  curl_mime_name(p, "notes");
  curl_mime_filedata(p, notes_path);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "png");
  curl_mime_filedata(p, png_path);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "renamed");
  curl_mime_filedata(p, notes_path);
  curl_mime_filename(p, "other.html");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "anonymous");
  curl_mime_filedata(p, png_path);
  curl_mime_filename(p, NULL);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "missing");
  printf("missing filedata: %d\n", (int)curl_mime_filedata(p, "/nonexistent/file.txt"));
  curl_mime_data(p, "replaced", CURL_ZERO_TERMINATED);
  set_url(h, "files");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "files");
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* Callback parts: unknown size (chunked), known size, free callback. */
static void callback_parts(void)
{
  struct source unknown = {5000, 0, 0, 0};
  struct source known = {3000, 0, 0, 0};
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p = curl_mime_addpart(m);
  curl_mime_name(p, "unknown");
  curl_mime_data_cb(p, -1, source_read, source_seek, source_free, &unknown);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "known");
  curl_mime_filename(p, "known.bin");
  curl_mime_data_cb(p, known.size, source_read, NULL, source_free, &known);
  set_url(h, "callbacks");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "callbacks");
  /* Again: the part with a seek callback is rewound, the other cannot
     be, so the second transfer fails before sending. */
  perform(h, "callbacks-again");
  curl_easy_cleanup(h);
  curl_mime_free(m);
  printf("seeks %d %d frees %d %d\n", unknown.seeks, known.seeks,
         unknown.frees, known.frees);
}

/* Subparts (nested twice, with their own types) and part headers. */
static void subparts_and_headers(void)
{
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mime *sub = curl_mime_init(h);
  curl_mime *alt = curl_mime_init(h);
  curl_mimepart *p;
  struct curl_slist *owned = NULL;
  struct curl_slist *kept = NULL;
  add_data(sub, "inner1", "first inner");
  p = curl_mime_addpart(sub);
  curl_mime_filename(p, "inner.txt");
  curl_mime_data(p, "second inner", CURL_ZERO_TERMINATED);
  add_data(alt, NULL, "plain alternative");
  p = curl_mime_addpart(alt);
  curl_mime_type(p, "text/html");
  curl_mime_data(p, "<b>html</b>", CURL_ZERO_TERMINATED);
  p = curl_mime_addpart(sub);
  curl_mime_type(p, "multipart/alternative");
  printf("subparts: %d\n", (int)curl_mime_subparts(p, alt));
  p = curl_mime_addpart(m);
  curl_mime_name(p, "files");
  curl_mime_subparts(p, sub);
  printf("subparts again: %d\n", (int)curl_mime_subparts(p, sub));
  printf("own tree: %d\n", (int)curl_mime_subparts(curl_mime_addpart(sub), m));
  owned = curl_slist_append(owned, "X-Custom: yes");
  owned = curl_slist_append(owned, "Content-Type: text/x-custom; charset=utf-8");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "headed");
  curl_mime_headers(p, owned, 1);
  curl_mime_data(p, "custom headers", CURL_ZERO_TERMINATED);
  kept = curl_slist_append(kept, "Content-Disposition: inline; name=\"own\"");
  kept = curl_slist_append(kept, "X-Second: 2");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "not-shown");
  curl_mime_headers(p, kept, 0);
  curl_mime_data(p, "own disposition", CURL_ZERO_TERMINATED);
  set_url(h, "subparts");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "subparts");
  curl_easy_cleanup(h);
  curl_mime_free(m);
  curl_slist_free_all(kept);
}

/* Text for the encoders: long lines, spacing before line ends, '=',
   8-bit bytes. */
static const char encoded_text[] =
  "A line that is long enough to need a soft line break in "
  "quoted-printable, since it goes past seventy-six characters.\r\n"
  "trailing space \r\ntrailing tab\t\r\nequals = sign\r\n"
  "8-bit: \xc3\xa9\xe2\x82\xac and a lone\nLF and a lone\rCR";

static void encoders(void)
{
  static const char *names[] = {"binary", "8bit", "7bit", "base64",
                                "quoted-printable"};
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p;
  size_t i;
  for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    p = curl_mime_addpart(m);
    curl_mime_name(p, names[i]);
    /* 7bit must get 7-bit text: the part up to the 8-bit bytes. */
    curl_mime_data(p, encoded_text, i == 2 ? 150 : CURL_ZERO_TERMINATED);
    printf("encoder %s: %d\n", names[i], (int)curl_mime_encoder(p, names[i]));
  }
  p = curl_mime_addpart(m);
  curl_mime_name(p, "unknown-encoder");
  printf("encoder gzip: %d\n", (int)curl_mime_encoder(p, "gzip"));
  p = curl_mime_addpart(m);
  curl_mime_name(p, "base64-file");
  curl_mime_filedata(p, medium_path);
  curl_mime_encoder(p, "BASE64");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "qp-file");
  curl_mime_filedata(p, notes_path);
  curl_mime_encoder(p, "quoted-printable");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "headed-encoding");
  curl_mime_headers(p, curl_slist_append(NULL, "Content-Transfer-Encoding: x-own"), 1);
  curl_mime_data(p, "abc", CURL_ZERO_TERMINATED);
  curl_mime_encoder(p, "base64");
  set_url(h, "encoders");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "encoders");
  curl_easy_cleanup(h);
  curl_mime_free(m);

  /* Known-size encoders only: sent with a Content-Length. */
  h = new_handle();
  m = curl_mime_init(h);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "b64");
  curl_mime_data(p, encoded_text, CURL_ZERO_TERMINATED);
  curl_mime_encoder(p, "base64");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "sevenbit");
  curl_mime_data(p, "just ascii", CURL_ZERO_TERMINATED);
  curl_mime_encoder(p, "7bit");
  set_url(h, "encoders-sized");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "encoders-sized");
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* The request's own fields: a type of its own gets the boundary, its
   subparts are no form fields; FORMESCAPE escapes with backslashes. */
static void request_fields(void)
{
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  struct curl_slist *list = NULL;
  add_data(m, "back\\slash\"quote", "escaped");
  list = curl_slist_append(list, "X-Before: 1");
  list = curl_slist_append(list, "Content-Type: multipart/mixed");
  list = curl_slist_append(list, "X-After: 2");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_MIME_OPTIONS, (long)CURLMIMEOPT_FORMESCAPE);
  set_url(h, "fields");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "fields");
  curl_easy_cleanup(h);
  curl_mime_free(m);
  curl_slist_free_all(list);

  /* An empty mime, then no mime at all (still a POST). */
  h = new_handle();
  m = curl_mime_init(h);
  set_url(h, "empty-mime");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  perform(h, "empty-mime");
  set_url(h, "null-mime");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, NULL);
  perform(h, "null-mime");
  /* A GET drops the body. */
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  set_url(h, "get-after-mime");
  perform(h, "get-after-mime");
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* 307 and 308 send the body again (rewound); a part that cannot seek
   fails the redirect; a dropped keep-alive connection retries. */
static void resend(void)
{
  struct source seekable = {4000, 0, 0, 0};
  struct source stuck = {100, 0, 0, 0};
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p;
  add_data(m, "field", "value");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "file");
  curl_mime_filedata(p, notes_path);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "seekable");
  /* A known length: no Expect, so that nothing comes back before the
     server drops the connection (which is when a request is retried). */
  curl_mime_data_cb(p, seekable.size, source_read, source_seek, NULL,
                    &seekable);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  set_url(h, "307/after-307");
  perform(h, "redirect-307");
  set_url(h, "308/after-308");
  perform(h, "redirect-308");
  /* The same connection is reused, and dropped by the server. */
  set_url(h, "drop/retried");
  perform(h, "retry");
  curl_easy_cleanup(h);
  curl_mime_free(m);
  printf("seeks %d\n", seekable.seeks);

  h = new_handle();
  m = curl_mime_init(h);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "stuck");
  curl_mime_data_cb(p, stuck.size, source_read, NULL, NULL, &stuck);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  set_url(h, "307/never");
  perform(h, "redirect-no-seek");
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* Parts that cannot be read fail the transfer with CURLE_READ_ERROR
   once the request is under way: a file gone since it was named, an
   8-bit byte in a 7bit part. Only the code is printed: what a failed
   transfer says of the server's interim answer is not compared here. */
static void read_errors(void)
{
  CURL *h = new_handle();
  curl_mime *m = curl_mime_init(h);
  curl_mimepart *p;
  add_data(m, "before", "sent first");
  p = curl_mime_addpart(m);
  curl_mime_name(p, "gone");
  curl_mime_filedata(p, "/nonexistent/gone.bin");
  set_url(h, "missing-file");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  printf("missing-file: code %d\n", (int)curl_easy_perform(h));
  curl_easy_cleanup(h);
  curl_mime_free(m);

  h = new_handle();
  m = curl_mime_init(h);
  p = curl_mime_addpart(m);
  curl_mime_name(p, "seven");
  curl_mime_data(p, encoded_text, CURL_ZERO_TERMINATED);
  curl_mime_encoder(p, "7bit");
  set_url(h, "not-7bit");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  printf("not-7bit: code %d\n", (int)curl_easy_perform(h));
  curl_easy_cleanup(h);
  curl_mime_free(m);
}

/* A duplicated handle sends its own copy of the mime. */
static void duplicate(void)
{
  CURL *h = new_handle();
  CURL *copy;
  curl_mime *m = curl_mime_init(h);
  add_data(m, "dup", "duplicated");
  curl_easy_setopt(h, CURLOPT_MIMEPOST, m);
  copy = curl_easy_duphandle(h);
  curl_mime_free(m);
  set_url(copy, "duplicate");
  perform(copy, "duplicate");
  curl_easy_cleanup(copy);
  curl_easy_cleanup(h);
}

static size_t stream_read(char *buf, size_t size, size_t nitems, void *arg)
{
  return source_read(buf, size, nitems, arg);
}

static size_t formget_out(void *arg, const char *buf, size_t len)
{
  (void)arg;
  fwrite(buf, 1, len, stdout);
  return len;
}

static size_t formget_short(void *arg, const char *buf, size_t len)
{
  (void)arg;
  (void)buf;
  return len ? len - 1 : 0;
}

/* The form API: curl_formadd's options and answers, the form posted,
   and curl_formget. */
static void forms(void)
{
  struct curl_httppost *post = NULL;
  struct curl_httppost *last = NULL;
  struct curl_httppost *bad = NULL;
  struct curl_httppost *bad_last = NULL;
  struct curl_slist *headers = curl_slist_append(NULL, "X-Form-Part: 1");
  struct curl_forms array[3];
  struct source streamed = {1500, 0, 0, 0};
  static char ptrname[] = "ptrname";
  static const char buffer[] = "buffer\0bytes";
  CURL *h;

  printf("copy: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "copy", CURLFORM_COPYCONTENTS, "copied value",
         CURLFORM_END));
  printf("ptr: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_PTRNAME, ptrname, CURLFORM_PTRCONTENTS, "with\0nul",
         CURLFORM_CONTENTSLENGTH, 8L, CURLFORM_END));
  printf("namelength: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "name-cut-here", CURLFORM_NAMELENGTH, 8L,
         CURLFORM_COPYCONTENTS, "short name", CURLFORM_CONTENTTYPE,
         "text/x-typed", CURLFORM_END));
  printf("file: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "file", CURLFORM_FILE, notes_path, CURLFORM_END));
  printf("file typed: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "typed-file", CURLFORM_FILE, png_path,
         CURLFORM_CONTENTTYPE, "image/x-mine", CURLFORM_FILENAME,
         "shown.png", CURLFORM_END));
  printf("files: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "files", CURLFORM_FILE, notes_path,
         CURLFORM_FILE, png_path, CURLFORM_CONTENTTYPE, "text/x-second",
         CURLFORM_FILE, medium_path, CURLFORM_END));
  printf("buffer: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "buffer", CURLFORM_BUFFER, "buffer.txt",
         CURLFORM_BUFFERPTR, buffer, CURLFORM_BUFFERLENGTH,
         (long)sizeof(buffer) - 1, CURLFORM_END));
  printf("filecontent: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "filecontent", CURLFORM_FILECONTENT, notes_path,
         CURLFORM_CONTENTHEADER, headers, CURLFORM_END));
  array[0].option = CURLFORM_COPYCONTENTS;
  array[0].value = "from an array";
  array[1].option = CURLFORM_CONTENTTYPE;
  array[1].value = "text/x-array";
  array[2].option = CURLFORM_END;
  printf("array: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "array", CURLFORM_ARRAY, array, CURLFORM_END));
  printf("contentlen: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "contentlen", CURLFORM_COPYCONTENTS,
         "0123456789", CURLFORM_CONTENTLEN, (curl_off_t)4, CURLFORM_END));
  printf("stream: %d\n", (int)curl_formadd(&post, &last,
         CURLFORM_COPYNAME, "stream", CURLFORM_STREAM, &streamed,
         CURLFORM_CONTENTSLENGTH, streamed.size, CURLFORM_FILENAME,
         "streamed.dat", CURLFORM_END));

  printf("twice: %d\n", (int)curl_formadd(&bad, &bad_last,
         CURLFORM_COPYNAME, "a", CURLFORM_COPYNAME, "b", CURLFORM_END));
  printf("null: %d\n", (int)curl_formadd(&bad, &bad_last,
         CURLFORM_COPYNAME, "a", CURLFORM_COPYCONTENTS, NULL, CURLFORM_END));
  printf("incomplete: %d\n", (int)curl_formadd(&bad, &bad_last,
         CURLFORM_COPYNAME, "a", CURLFORM_END));
  printf("unknown: %d\n", (int)curl_formadd(&bad, &bad_last,
         CURLFORM_COPYNAME, "a", (CURLformoption)99, CURLFORM_END));
  array[0].option = CURLFORM_ARRAY;
  array[0].value = NULL;
  array[1].option = CURLFORM_END;
  printf("array in array: %d\n", (int)curl_formadd(&bad, &bad_last,
         CURLFORM_COPYNAME, "a", CURLFORM_ARRAY, array, CURLFORM_END));
  printf("bad list: %s\n", bad ? "entries" : "empty");
  curl_formfree(bad);

  h = new_handle();
  curl_easy_setopt(h, CURLOPT_READFUNCTION, stream_read);
  curl_easy_setopt(h, CURLOPT_HTTPPOST, post);
  set_url(h, "form");
  perform(h, "form");
  curl_easy_cleanup(h);

  printf("formget:\n");
  printf("\nformget: %d\n", curl_formget(post, NULL, formget_out));
  printf("formget short: %d\n", curl_formget(post, NULL, formget_short));
  printf("formget null:\n");
  printf("\nformget: %d\n", curl_formget(NULL, NULL, formget_out));
  curl_formfree(post);
  curl_slist_free_all(headers);
}

int main(int argc, char **argv)
{
  if(argc != 3) {
    fprintf(stderr, "usage: mime_post BASE_URL DIR\n");
    return 2;
  }
  base = argv[1];
  snprintf(dir, sizeof(dir), "%s", argv[2]);
  snprintf(big_path, sizeof(big_path), "%s/big.bin", dir);
  snprintf(notes_path, sizeof(notes_path), "%s/notes.txt", dir);
  snprintf(png_path, sizeof(png_path), "%s/image.png", dir);
  snprintf(medium_path, sizeof(medium_path), "%s/medium.dat", dir);
  make_file(big_path, 3L * 1024 * 1024 + 17, 1);
  make_file(notes_path, 700, 2);
  make_file(png_path, 300, 3);
  make_file(medium_path, 200 * 1024 + 1, 4);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  text_parts();
  file_parts();
  callback_parts();
  subparts_and_headers();
  encoders();
  request_fields();
  resend();
  read_errors();
  duplicate();
  forms();
  curl_global_cleanup();
  remove(big_path);
  remove(notes_path);
  remove(png_path);
  remove(medium_path);
  return 0;
}
