/*
 * CURLINFO_SIZE_UPLOAD(_T) and the progress callback's upload count: the
 * bytes of the last request's body as they went on the wire, chunk
 * framing included, for a body given up front, one read with a known
 * size, one read chunked, and POSTs redirected (a 302 turns into a GET
 * that sends nothing, a 307 sends the body again). Built against Debian's
 * libcurl and against Starling, the outputs must be the same
 * (tests/size_upload.rs).
 *
 * usage: size_upload BASE-URL
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

struct body {
  size_t left;
  curl_off_t last_ulnow;
};

static size_t on_read(char *buf, size_t size, size_t n, void *userp)
{
  struct body *b = userp;
  size_t take = size * n < b->left ? size * n : b->left;
  memset(buf, 'x', take);
  b->left -= take;
  return take;
}

static int on_seek(void *userp, curl_off_t offset, int origin)
{
  struct body *b = userp;
  (void)origin;
  b->left = 1000 - (size_t)offset;
  return CURL_SEEKFUNC_OK;
}

static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
  struct body *b = userp;
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  b->last_ulnow = ulnow;
  return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

/* how: "fields" (POSTFIELDS), "sized" (read, POSTFIELDSIZE), "chunked"
   (read, no size), "put" (UPLOAD with INFILESIZE). */
static void run(const char *base, const char *path, const char *how)
{
  static char fields[1000];
  struct body b = {1000, -1};
  char url[256];
  curl_off_t up = -1;
  long code = 0;
  CURLcode rc;
  CURL *easy = curl_easy_init();
  snprintf(url, sizeof(url), "%s%s", base, path);
  memset(fields, 'x', sizeof(fields));
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(easy, CURLOPT_READDATA, &b);
  curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
  curl_easy_setopt(easy, CURLOPT_SEEKDATA, &b);
  curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &b);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
  if(!strcmp(how, "fields")) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, fields);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 1000L);
  }
  else if(!strcmp(how, "put")) {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE, 1000L);
  }
  else {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    if(!strcmp(how, "sized"))
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 1000L);
  }
  rc = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &up);
  printf("%s %s: result %d, code %ld, size_upload %ld, last ulnow %ld\n",
         how, path, (int)rc, code, (long)up, (long)b.last_ulnow);
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  const char *hows[] = {"fields", "sized", "chunked", "put"};
  size_t i;
  if(argc != 2) {
    fprintf(stderr, "usage: size_upload BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for(i = 0; i < 4; i++) {
    run(argv[1], "/inspect", hows[i]);
    run(argv[1], "/redirect/302?to=%2Finspect&read=1", hows[i]);
    run(argv[1], "/redirect/307?to=%2Finspect&read=1", hows[i]);
  }
  curl_global_cleanup();
  return 0;
}
