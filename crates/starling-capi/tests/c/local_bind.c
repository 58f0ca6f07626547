/*
 * Where a transfer's socket is bound before it connects:
 * CURLOPT_INTERFACE (an interface, "if!NAME", "host!ADDRESS" or an
 * address), CURLOPT_LOCALPORT and CURLOPT_LOCALPORTRANGE. Prints each
 * transfer's result, error text, local address and local port (as an
 * offset from the port asked for). Built against Debian's libcurl and
 * against Starling, the outputs must be the same (tests/local_bind.rs).
 * Left out, as they depend on the privileges the program runs with: an
 * empty interface, and an interface with a port (with privileges libcurl
 * binds the device and ignores the port; Starling does the same).
 *
 * usage: local_bind URL FREE-PORT BUSY-PORT
 *   FREE-PORT: a port nothing uses; BUSY-PORT: one a listener holds on
 *   127.0.0.1, with the next few ports free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
  (void)p;
  (void)userp;
  return size * n;
}

static void run(const char *title, const char *url, const char *interface,
                long port, long range)
{
  CURL *easy = curl_easy_init();
  char error[CURL_ERROR_SIZE] = "";
  char *local_ip = NULL;
  long local_port = 0;
  CURLcode result, set = CURLE_OK;
  printf("%s\n", title);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  if(interface)
    set = curl_easy_setopt(easy, CURLOPT_INTERFACE, interface);
  if(!set && port)
    set = curl_easy_setopt(easy, CURLOPT_LOCALPORT, port);
  if(!set && range)
    set = curl_easy_setopt(easy, CURLOPT_LOCALPORTRANGE, range);
  if(set) {
    printf("  setopt %d\n", (int)set);
    curl_easy_cleanup(easy);
    return;
  }
  fflush(stdout);
  result = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_LOCAL_IP, &local_ip);
  curl_easy_getinfo(easy, CURLINFO_LOCAL_PORT, &local_port);
  printf("  result %d", (int)result);
  if(result)
    printf(", error: %s", error);
  else {
    printf(", local %s", local_ip ? local_ip : "(null)");
    if(port)
      printf(" port +%ld", local_port - port);
  }
  printf("\n");
  curl_easy_cleanup(easy);
}

int main(int argc, char **argv)
{
  long free_port, busy_port;
  if(argc != 4) {
    fprintf(stderr, "usage: local_bind URL FREE-PORT BUSY-PORT\n");
    return 2;
  }
  free_port = atol(argv[2]);
  busy_port = atol(argv[3]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  run("interface lo", argv[1], "lo", 0, 0);
  run("if!lo", argv[1], "if!lo", 0, 0);
  run("host!127.0.0.1", argv[1], "host!127.0.0.1", 0, 0);
  run("host!localhost", argv[1], "host!localhost", 0, 0);
  run("address 127.0.0.1", argv[1], "127.0.0.1", 0, 0);
  run("if!nosuch0", argv[1], "if!nosuch0", 0, 0);
  run("nosuch0", argv[1], "nosuch0", 0, 0);
  run("host!256.1.1.1", argv[1], "host!256.1.1.1", 0, 0);
  run("a free port", argv[1], NULL, free_port, 0);
  run("a busy port, range 5", argv[1], "127.0.0.1", busy_port, 5);
  run("a busy port, range 1", argv[1], "127.0.0.1", busy_port, 1);
  run("port 70000", argv[1], NULL, 70000, 0);
  run("port -1", argv[1], NULL, -1, 0);
  run("range -1", argv[1], NULL, free_port, -1);
  run("range 70000", argv[1], NULL, free_port, 70000);
  curl_global_cleanup();
  return 0;
}
