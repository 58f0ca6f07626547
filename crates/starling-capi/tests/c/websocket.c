/*
 * WebSocket through libcurl's API (libcurl 8.x's: Debian's 7.88 has none,
 * so tests/websocket.rs holds the expected output): CONNECT_ONLY 2 with
 * curl_ws_recv and curl_ws_send (pieces of frames with their meta, a ping
 * answered, fragments, a frame sent in parts with CURLWS_OFFSET, a close),
 * the write callback getting frames with curl_ws_meta and answering from
 * inside it, raw mode, wss://, and the answers for handles without a
 * WebSocket.
 *
 * usage: websocket WS-BASE WSS-BASE CA-FILE
 *        (ws://127.0.0.1:PORT wss://localhost:PORT ca.pem)
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <curl/websockets.h>

static char error[CURL_ERROR_SIZE];

static const char *kind(int flags)
{
  static char text[64];
  text[0] = 0;
  if(flags & CURLWS_TEXT)
    strcat(text, "TEXT");
  if(flags & CURLWS_BINARY)
    strcat(text, "BINARY");
  if(flags & CURLWS_CLOSE)
    strcat(text, "CLOSE");
  if(flags & CURLWS_PING)
    strcat(text, "PING");
  if(flags & CURLWS_PONG)
    strcat(text, "PONG");
  if(flags & CURLWS_CONT)
    strcat(text, "|CONT");
  return text;
}

static void show(const char *how, const struct curl_ws_frame *m,
                 const char *data, size_t n)
{
  if(!m) {
    printf("  %s: no meta\n", how);
    return;
  }
  printf("  %s %s offset %ld left %ld len %ld", how, kind(m->flags),
         (long)m->offset, (long)m->bytesleft, (long)m->len);
  if((m->flags & (CURLWS_TEXT | CURLWS_PING | CURLWS_PONG)) && n < 64)
    printf(" \"%.*s\"", (int)n, data);
  else if(m->flags & CURLWS_CLOSE && n >= 2)
    printf(" code %d", ((unsigned char)data[0] << 8) | (unsigned char)data[1]);
  printf("\n");
}

/* Receives one piece (waiting, bounded, for it); the code. */
static CURLcode recv_piece(CURL *easy, char *buf, size_t size,
                           struct curl_ws_frame **metap, size_t *got)
{
  struct curl_ws_frame *meta = NULL;
  curl_socket_t s = CURL_SOCKET_BAD;
  size_t n = 0;
  CURLcode rc;
  int tries = 0;
  curl_easy_getinfo(easy, CURLINFO_ACTIVESOCKET, &s);
  do {
    rc = curl_ws_recv(easy, buf, size, &n, &meta);
    if(rc == CURLE_AGAIN) {
      struct pollfd p = {s, POLLIN, 0};
      poll(&p, 1, 1000);
    }
  } while(rc == CURLE_AGAIN && ++tries < 20);
  *metap = meta;
  *got = n;
  return rc;
}

/* Receives one piece and shows it; the code. */
static CURLcode recv_one(CURL *easy, char *buf, size_t size)
{
  struct curl_ws_frame *meta;
  size_t n;
  CURLcode rc = recv_piece(easy, buf, size, &meta, &n);
  if(rc)
    printf("  recv: %d (%s)\n", (int)rc, error);
  else
    show("recv", meta, buf, n);
  return rc;
}

/* Receives a large frame's pieces (how many depends on the network):
   whether each starts where the last ended and holds the bytes sent. */
static void recv_large(CURL *easy, char *buf, size_t size)
{
  struct curl_ws_frame *meta;
  size_t i, n, total = 0;
  int ok = 1, pieces = 0, pattern = 1;
  do {
    if(recv_piece(easy, buf, size, &meta, &n) || !meta) {
      printf("  recv failed: %s\n", error);
      return;
    }
    for(i = 0; i < n; i++)
      if((unsigned char)buf[i] != (total + i) % 251)
        pattern = 0;
    ok &= (size_t)meta->offset == total && meta->len == n && n <= size;
    total += n;
    pieces++;
  } while(meta->bytesleft > 0 && pieces < 1000);
  printf("  recv %s %ld bytes, in pieces that fit: %s, the bytes sent: %s\n",
         kind(meta->flags), (long)total, ok ? "yes" : "no",
         pattern ? "yes" : "no");
}

static void send_one(CURL *easy, const char *data, size_t len,
                     curl_off_t frame_size, unsigned int flags)
{
  size_t sent = 0;
  CURLcode rc = curl_ws_send(easy, data, len, &sent, frame_size, flags);
  printf("  send %s%s %ld: %d, %ld sent\n", kind((int)flags),
         flags & CURLWS_OFFSET ? "|OFFSET" : "", (long)len, (int)rc,
         (long)sent);
}

static CURL *handle(const char *base, const char *path, const char *ca)
{
  char url[512];
  CURL *easy = curl_easy_init();
  snprintf(url, sizeof(url), "%s%s", base, path);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(ca)
    curl_easy_setopt(easy, CURLOPT_CAINFO, ca);
  return easy;
}

static void perform(CURL *easy)
{
  long code = -1;
  CURLcode rc = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  printf("  perform: %d, code %ld%s%s\n", (int)rc, code, rc ? ", " : "",
         rc ? error : "");
}

/* The write callback of a transfer that runs on: each piece with its
   meta; the first text is answered, a close is closed. */
static size_t on_frame(char *data, size_t size, size_t n, void *userp)
{
  CURL *easy = userp;
  struct curl_ws_frame *m = curl_ws_meta(easy);
  size_t sent;
  show("callback", m, data, size * n);
  if(m && (m->flags & CURLWS_TEXT) && !strncmp(data, "hi", 2))
    curl_ws_send(easy, "reply", 5, &sent, 0, CURLWS_TEXT);
  if(m && (m->flags & CURLWS_CLOSE))
    curl_ws_send(easy, data, size * n, &sent, 0, CURLWS_CLOSE);
  return size * n;
}

/* Raw mode: the bytes as they came (in as many calls as the network
   made), and whether any call had a frame's meta. */
static unsigned char raw[256];
static size_t raw_len;
static int raw_meta;

static size_t on_raw(char *data, size_t size, size_t n, void *userp)
{
  size_t i;
  raw_meta |= curl_ws_meta(userp) != NULL;
  for(i = 0; i < size * n && raw_len < sizeof(raw); i++)
    raw[raw_len++] = (unsigned char)data[i];
  return size * n;
}

int main(int argc, char **argv)
{
  static char buf[30000];
  CURL *easy;
  int i;
  if(argc != 4) {
    fprintf(stderr, "usage: websocket WS-BASE WSS-BASE CA-FILE\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);

  printf("connect only\n");
  easy = handle(argv[1], "/ws?hello=hi&ping=1&frag=1&big=70000", NULL);
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 2L);
  perform(easy);
  /* hi, the ping (answered), two fragments, 70000 bytes in pieces, the
     report of the pong. */
  for(i = 0; i < 4; i++)
    recv_one(easy, buf, sizeof(buf));
  recv_large(easy, buf, sizeof(buf));
  recv_one(easy, buf, sizeof(buf));
  send_one(easy, "echo", 4, 0, CURLWS_TEXT);
  recv_one(easy, buf, sizeof(buf));
  send_one(easy, "01234", 5, 10, CURLWS_TEXT | CURLWS_OFFSET);
  send_one(easy, "56789", 5, 0, 0);
  recv_one(easy, buf, sizeof(buf));
  send_one(easy, "ab", 2, 0, CURLWS_TEXT | CURLWS_CONT);
  send_one(easy, "cd", 2, 0, CURLWS_TEXT);
  recv_one(easy, buf, sizeof(buf));
  send_one(easy, "x", 1, 0, 0);
  send_one(easy, "\x03\xe8", 2, 0, CURLWS_CLOSE);
  recv_one(easy, buf, sizeof(buf));
  recv_one(easy, buf, sizeof(buf));
  curl_easy_cleanup(easy);

  printf("over TLS\n");
  easy = handle(argv[2], "/ws", argv[3]);
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 2L);
  perform(easy);
  send_one(easy, "secure", 6, 0, CURLWS_BINARY);
  recv_one(easy, buf, sizeof(buf));
  curl_easy_cleanup(easy);

  printf("frames to the write callback\n");
  easy = handle(argv[1], "/ws?hello=hi&ping=1&close=1", NULL);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_frame);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, easy);
  perform(easy);
  printf("  meta outside the callback: %s\n",
         curl_ws_meta(easy) ? "set" : "NULL");
  curl_easy_cleanup(easy);

  printf("raw mode\n");
  easy = handle(argv[1], "/ws?hello=hi&bye=1", NULL);
  curl_easy_setopt(easy, CURLOPT_WS_OPTIONS, (long)CURLWS_RAW_MODE);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_raw);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, easy);
  perform(easy);
  printf("  raw %s:", raw_meta ? "with meta" : "no meta");
  for(i = 0; i < (int)raw_len; i++)
    printf(" %02x", raw[i]);
  printf("\n");
  curl_easy_cleanup(easy);

  printf("refused\n");
  easy = handle(argv[1], "/ws?status=403", NULL);
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 2L);
  perform(easy);
  error[0] = 0;
  recv_one(easy, buf, sizeof(buf));
  curl_easy_cleanup(easy);

  printf("no WebSocket\n");
  easy = handle(argv[1], "/ws?hello=hi&bye=1", NULL);
  error[0] = 0;
  recv_one(easy, buf, sizeof(buf));
  send_one(easy, "x", 1, 0, CURLWS_TEXT);
  curl_easy_cleanup(easy);

  curl_global_cleanup();
  return 0;
}
