/*
 * A request body from the read callback sent again after a 307 or 308
 * redirect: rewound with CURLOPT_SEEKFUNCTION, with fseek() on a READDATA
 * FILE * that libcurl reads itself, or not at all (CURLE_SEND_FAIL_REWIND).
 * Prints each case's result, how often the seek callback ran and what the
 * server's /inspect got in the end; built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/rewind.rs).
 *
 * usage: rewind BASE-URL (http://127.0.0.1:PORT)
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

struct source {
  const char *data;
  size_t len;
  size_t at;
  int seeks;
  int seek_answer;
};

static size_t on_read(char *buf, size_t size, size_t n, void *userp)
{
  struct source *s = userp;
  size_t room = size * n, left = s->len - s->at;
  size_t take = left < room ? left : room;
  memcpy(buf, s->data + s->at, take);
  s->at += take;
  return take;
}

static int on_seek(void *userp, curl_off_t offset, int origin)
{
  struct source *s = userp;
  s->seeks++;
  if(s->seek_answer == CURL_SEEKFUNC_OK && origin == SEEK_SET)
    s->at = (size_t)offset;
  return s->seek_answer;
}

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)userp;
  /* Only the method and the body's length matter here. */
  if(!strncmp(p, "method", 6) || !strncmp(p, "body-len", 8))
    fwrite(p, size, n, stdout);
  else {
    const char *line = p, *end = p + size * n;
    while(line < end) {
      const char *nl = memchr(line, '\n', (size_t)(end - line));
      size_t len = nl ? (size_t)(nl - line + 1) : (size_t)(end - line);
      if(!strncmp(line, "method", 6) || !strncmp(line, "body-len", 8))
        fwrite(line, 1, len, stdout);
      line += len;
    }
  }
  return size * n;
}

/* How the body is given. */
enum how { SEEKABLE, NO_SEEK, CANT_SEEK, FAILING_SEEK, FILE_READ };

static void run(const char *base, int code, enum how how)
{
  static const char body[] = "0123456789";
  struct source src = {body, 10, 0, 0, CURL_SEEKFUNC_OK};
  char url[512];
  CURL *easy = curl_easy_init();
  FILE *file = NULL;
  CURLcode result;
  /* read=1: the server reads the body before it answers, so that both
     libraries have sent it when the redirect comes and must rewind. */
  snprintf(url, sizeof(url), "%s/redirect/%d?to=%%2Finspect&read=1", base,
           code);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, 10L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(how == FILE_READ) {
    file = tmpfile();
    fwrite(body, 1, 10, file);
    rewind(file);
    curl_easy_setopt(easy, CURLOPT_READDATA, file);
  }
  else {
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &src);
  }
  if(how == SEEKABLE || how == CANT_SEEK || how == FAILING_SEEK) {
    src.seek_answer = how == SEEKABLE ? CURL_SEEKFUNC_OK :
                      how == CANT_SEEK ? CURL_SEEKFUNC_CANTSEEK :
                      CURL_SEEKFUNC_FAIL;
    curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(easy, CURLOPT_SEEKDATA, &src);
  }
  printf("== %d, body %d\n", code, (int)how);
  fflush(stdout);
  result = curl_easy_perform(easy);
  printf("-- result %d, seeks %d\n", (int)result, src.seeks);
  curl_easy_cleanup(easy);
  if(file)
    fclose(file);
}

int main(int argc, char **argv)
{
  int codes[] = {307, 308, 303, 302};
  size_t i;
  int how;
  if(argc != 2) {
    fprintf(stderr, "usage: rewind BASE-URL\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for(i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    for(how = SEEKABLE; how <= FILE_READ; how++)
      run(argv[1], codes[i], (enum how)how);
  curl_global_cleanup();
  return 0;
}
