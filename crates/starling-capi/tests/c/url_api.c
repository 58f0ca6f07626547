/*
 * libcurl's URL API (curl_url, curl_url_set, curl_url_get, curl_url_dup,
 * curl_url_cleanup, curl_url_strerror) driven through a long table of
 * cases (tests/c/url_api_parse.h and url_api_sets.h). Prints one line per
 * call result:
 *
 *   <case> set <part> <flags> <value> -> <code>
 *   <case> get <part> <flags> -> <code> <value>
 *
 * with strings quoted and their non-printable bytes escaped, "(null)" for
 * NULL and "untouched" when curl_url_get left its output pointer alone.
 * tests/url_api.rs builds it against Starling and against Debian's libcurl
 * and compares the two outputs line by line.
 *
 * The locale is set to C.UTF-8 first: libcurl converts host names to
 * punycode through libidn2, which reads them in the locale's character set.
 * With the argument "c-locale" it is not, and only the punycode cases run:
 * there the conversion fails, and only the codes are printed for errors
 * (libcurl leaves its copy of the host in *part when it fails).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "url_api_parse.h"
#include "url_api_sets.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every part, in the order parse cases print them. */
static const int all_parts[] = {
  CURLUPART_URL, CURLUPART_SCHEME, CURLUPART_USER, CURLUPART_PASSWORD,
  CURLUPART_OPTIONS, CURLUPART_HOST, CURLUPART_ZONEID, CURLUPART_PORT,
  CURLUPART_PATH, CURLUPART_QUERY, CURLUPART_FRAGMENT
};

static unsigned long results;

/* Whether errors are printed without the value left in *part. */
static int codes_only;

static const char *part_name(int part)
{
  switch(part) {
  case CURLUPART_URL: return "url";
  case CURLUPART_SCHEME: return "scheme";
  case CURLUPART_USER: return "user";
  case CURLUPART_PASSWORD: return "password";
  case CURLUPART_OPTIONS: return "options";
  case CURLUPART_HOST: return "host";
  case CURLUPART_PORT: return "port";
  case CURLUPART_PATH: return "path";
  case CURLUPART_QUERY: return "query";
  case CURLUPART_FRAGMENT: return "fragment";
  case CURLUPART_ZONEID: return "zoneid";
  default: return "unknown";
  }
}

/* A string quoted, with quotes, backslashes and other bytes outside
   printable ASCII escaped so that every result stays on its line. */
static void put(const char *s)
{
  if(!s) {
    fputs("(null)", stdout);
    return;
  }
  putchar('"');
  for(; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if(c == '"' || c == '\\')
      printf("\\%c", c);
    else if(c < 0x20 || c >= 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  putchar('"');
}

/* Reads `part` with `flags` and prints the result. */
static void get(const char *tag, CURLU *u, int part, unsigned int flags)
{
  static char sentinel[] = "sentinel";
  char *out = sentinel;
  CURLUcode rc = curl_url_get(u, (CURLUPart)part, &out, flags);
  printf("%s get %s %#x -> %d ", tag, part_name(part), flags, (int)rc);
  if(out == sentinel)
    fputs("untouched", stdout);
  else {
    if(!(codes_only && rc))
      put(out);
    curl_free(out);
  }
  putchar('\n');
  results++;
}

/* Sets `part` to `value` with `flags` and prints the code. */
static CURLUcode set(const char *tag, CURLU *u, int part, const char *value,
                     unsigned int flags)
{
  CURLUcode rc = curl_url_set(u, (CURLUPart)part, value, flags);
  printf("%s set %s %#x ", tag, part_name(part), flags);
  put(value);
  printf(" -> %d\n", (int)rc);
  results++;
  return rc;
}

/* Every parse case, or only those read with `only` among their flags. */
static void parse_table(unsigned int only)
{
  size_t i, p;
  char tag[32];
  for(i = 0; i < COUNT(parse_cases); i++) {
    const struct parse_case *c = &parse_cases[i];
    CURLU *u;
    if(only && !(c->get & only))
      continue;
    u = curl_url();
    snprintf(tag, sizeof(tag), "parse%u", (unsigned)i);
    set(tag, u, CURLUPART_URL, c->url, c->set);
    for(p = 0; p < COUNT(all_parts); p++)
      get(tag, u, all_parts[p], c->get);
    curl_url_cleanup(u);
  }
}

static void relative_table(void)
{
  size_t i;
  char tag[32];
  for(i = 0; i < COUNT(relative_cases); i++) {
    const struct relative_case *c = &relative_cases[i];
    CURLU *u = curl_url();
    snprintf(tag, sizeof(tag), "relative%u", (unsigned)i);
    if(c->base)
      set(tag, u, CURLUPART_URL, c->base, c->flags);
    set(tag, u, CURLUPART_URL, c->url, c->flags);
    get(tag, u, CURLUPART_URL, 0);
    get(tag, u, CURLUPART_PATH, 0);
    curl_url_cleanup(u);
  }
}

static void part_table(void)
{
  size_t i;
  char tag[32];
  for(i = 0; i < COUNT(part_cases); i++) {
    const struct part_case *c = &part_cases[i];
    CURLU *u = curl_url();
    snprintf(tag, sizeof(tag), "part%u", (unsigned)i);
    if(c->base)
      set(tag, u, CURLUPART_URL, c->base, NSS);
    set(tag, u, c->part, c->value, c->flags);
    get(tag, u, CURLUPART_URL, 0);
    get(tag, u, CURLUPART_URL, DS);
    get(tag, u, c->part, 0);
    get(tag, u, c->part, DEC);
    curl_url_cleanup(u);
  }
}

static void get_table(void)
{
  size_t i;
  char tag[32];
  for(i = 0; i < COUNT(get_cases); i++) {
    const struct get_case *c = &get_cases[i];
    CURLU *u = curl_url();
    snprintf(tag, sizeof(tag), "get%u", (unsigned)i);
    set(tag, u, CURLUPART_URL, c->url, c->set);
    get(tag, u, c->part, c->get);
    curl_url_cleanup(u);
  }
}

/* Every printable ASCII byte but letters and digits inside a host name,
   as it is and percent-encoded. */
static void host_bytes(void)
{
  int c;
  char url[32], tag[32];
  for(c = 0x21; c < 0x7f; c++) {
    CURLU *u;
    if((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
       (c >= 'A' && c <= 'Z'))
      continue;
    u = curl_url();
    snprintf(tag, sizeof(tag), "hostbyte%02x", c);
    snprintf(url, sizeof(url), "http://a%cb/", c);
    set(tag, u, CURLUPART_URL, url, 0);
    get(tag, u, CURLUPART_URL, 0);
    get(tag, u, CURLUPART_HOST, 0);
    snprintf(url, sizeof(url), "http://a%%%02Xb/", c);
    set(tag, u, CURLUPART_URL, url, 0);
    get(tag, u, CURLUPART_HOST, 0);
    get(tag, u, CURLUPART_URL, 0);
    curl_url_cleanup(u);
  }
}

/* Reads that change the handle: each case reads `first`, then the URL
   and the host plainly. */
static void reads_that_stay(void)
{
  static const struct {
    const char *url;
    int part;
    unsigned int flags;
  } cases[] = {
    {"http://h\xc3\xb6st/", CURLUPART_URL, CURLU_URLENCODE},
    {"http://h\xc3\xb6st/", CURLUPART_URL, CURLU_PUNYCODE},
    {"http://h\xc3\xb6st/", CURLUPART_HOST, CURLU_PUNYCODE},
    {"http://h\xc3\xb6st/", CURLUPART_HOST, CURLU_URLENCODE},
    {"http://exa%mple/", CURLUPART_URL, CURLU_PUNYCODE},
    {"http://exa%mple/", CURLUPART_HOST, CURLU_URLENCODE},
    {"http://[::1]/", CURLUPART_URL, CURLU_URLENCODE},
    {"file:///", CURLUPART_PATH, 0},
    {"http://h", CURLUPART_PATH, 0},
  };
  size_t i;
  char tag[32];
  for(i = 0; i < COUNT(cases); i++) {
    CURLU *u = curl_url();
    snprintf(tag, sizeof(tag), "stay%u", (unsigned)i);
    set(tag, u, CURLUPART_URL, cases[i].url, 0);
    get(tag, u, cases[i].part, cases[i].flags);
    get(tag, u, CURLUPART_URL, 0);
    get(tag, u, CURLUPART_HOST, 0);
    curl_url_cleanup(u);
  }
}

/* A URL built part by part on an empty handle, copied, and both changed. */
static void build_and_dup(void)
{
  CURLU *u = curl_url();
  CURLU *copy;
  size_t p;
  get("build", u, CURLUPART_URL, 0);
  get("build", u, CURLUPART_PATH, 0);
  set("build", u, CURLUPART_HOST, "example.org", 0);
  get("build", u, CURLUPART_URL, 0);
  set("build", u, CURLUPART_SCHEME, "https", 0);
  set("build", u, CURLUPART_USER, "me", 0);
  set("build", u, CURLUPART_PASSWORD, "secret", 0);
  set("build", u, CURLUPART_PORT, "8443", 0);
  set("build", u, CURLUPART_PATH, "docs/a b", CURLU_URLENCODE);
  set("build", u, CURLUPART_QUERY, "k=v w", CURLU_URLENCODE);
  set("build", u, CURLUPART_QUERY, "n=1", CURLU_APPENDQUERY);
  set("build", u, CURLUPART_FRAGMENT, "top", 0);
  get("build", u, CURLUPART_URL, 0);
  copy = curl_url_dup(u);
  set("build", u, CURLUPART_HOST, "changed.example", 0);
  set("build", u, CURLUPART_URL, "../up", 0);
  for(p = 0; p < COUNT(all_parts); p++) {
    get("build-orig", u, all_parts[p], 0);
    get("build-copy", copy, all_parts[p], 0);
  }
  set("build", copy, CURLUPART_URL, NULL, 0);
  get("build-copy", copy, CURLUPART_URL, 0);
  get("build-copy", copy, CURLUPART_PATH, 0);
  curl_url_cleanup(copy);
  curl_url_cleanup(u);

  /* a failed set keeps what the handle had */
  u = curl_url();
  set("keep", u, CURLUPART_URL, "http://kept/a?b#c", 0);
  set("keep", u, CURLUPART_URL, "http://bad host/", 0);
  set("keep", u, CURLUPART_URL, "foo://x/", 0);
  set("keep", u, CURLUPART_PORT, "0", 0);
  set("keep", u, CURLUPART_HOST, "a b", 0);
  set("keep", u, CURLUPART_SCHEME, "n/a", CURLU_NON_SUPPORT_SCHEME);
  get("keep", u, CURLUPART_URL, 0);
  copy = curl_url_dup(u);
  get("keep-copy", copy, CURLUPART_URL, 0);
  curl_url_cleanup(copy);
  curl_url_cleanup(u);
}

/* Strings around libcurl's 8,000,000-byte limit: only the codes and the
   lengths read back are printed. */
static void long_strings(void)
{
  const size_t limit = 8000000;
  char *big = malloc(limit + 2);
  char *out = NULL;
  CURLU *u = curl_url();
  CURLUcode rc;
  if(!big || !u) {
    puts("out of memory");
    exit(1);
  }
  memset(big, 'a', limit + 1);
  memcpy(big, "http://h/", 9);
  big[limit] = 0;
  rc = curl_url_set(u, CURLUPART_URL, big, 0);
  printf("long url of %lu -> %d\n", (unsigned long)strlen(big), (int)rc);
  rc = curl_url_get(u, CURLUPART_PATH, &out, 0);
  printf("long path -> %d %lu\n", (int)rc, out ? (unsigned long)strlen(out) : 0UL);
  curl_free(out);
  big[limit] = 'a';
  big[limit + 1] = 0;
  rc = curl_url_set(u, CURLUPART_URL, big, 0);
  printf("long url of %lu -> %d\n", (unsigned long)strlen(big), (int)rc);
  rc = curl_url_set(u, CURLUPART_PATH, big + 8, 0);
  printf("long path part of %lu -> %d\n", (unsigned long)strlen(big + 8), (int)rc);
  rc = curl_url_set(u, CURLUPART_QUERY, big, CURLU_URLENCODE);
  printf("long query part of %lu -> %d\n", (unsigned long)strlen(big), (int)rc);
  results += 5;
  curl_url_cleanup(u);
  free(big);
}

/* NULL handles and output pointers. */
static void misuse(void)
{
  CURLU *u = curl_url();
  printf("null get -> %d\n", (int)curl_url_get(NULL, CURLUPART_URL, NULL, 0));
  printf("null set -> %d\n", (int)curl_url_set(NULL, CURLUPART_URL, "x", 0));
  printf("null part -> %d\n", (int)curl_url_get(u, CURLUPART_URL, NULL, 0));
  printf("null set-null -> %d\n",
         (int)curl_url_set(NULL, CURLUPART_URL, NULL, 0));
  results += 4;
  curl_url_cleanup(NULL);
  curl_url_cleanup(u);
}

static void constants(void)
{
  printf("codes %d %d %d %d %d %d %d %d\n", CURLUE_OK, CURLUE_BAD_HANDLE,
         CURLUE_MALFORMED_INPUT, CURLUE_UNKNOWN_PART, CURLUE_NO_ZONEID,
         CURLUE_BAD_FILE_URL, CURLUE_LACKS_IDN, CURLUE_LAST);
  printf("parts %d %d %d %d %d %d %d %d %d %d %d\n", CURLUPART_URL,
         CURLUPART_SCHEME, CURLUPART_USER, CURLUPART_PASSWORD,
         CURLUPART_OPTIONS, CURLUPART_HOST, CURLUPART_PORT, CURLUPART_PATH,
         CURLUPART_QUERY, CURLUPART_FRAGMENT, CURLUPART_ZONEID);
  printf("flags %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x\n",
         CURLU_DEFAULT_PORT, CURLU_NO_DEFAULT_PORT, CURLU_DEFAULT_SCHEME,
         CURLU_NON_SUPPORT_SCHEME, CURLU_PATH_AS_IS, CURLU_DISALLOW_USER,
         CURLU_URLDECODE, CURLU_URLENCODE, CURLU_APPENDQUERY,
         CURLU_GUESS_SCHEME, CURLU_NO_AUTHORITY, CURLU_ALLOW_SPACE,
         CURLU_PUNYCODE);
  results += 3;
}

static void strerrors(void)
{
  int code;
  for(code = -1; code <= CURLUE_LAST + 1; code++) {
    printf("strerror %d ", code);
    put(curl_url_strerror((CURLUcode)code));
    putchar('\n');
    results++;
  }
}

int main(int argc, char **argv)
{
  if(argc > 1 && !strcmp(argv[1], "c-locale")) {
    codes_only = 1;
    parse_table(CURLU_PUNYCODE);
    printf("results %lu\n", results);
    return 0;
  }
  if(!setlocale(LC_ALL, "C.UTF-8"))
    puts("locale C.UTF-8 missing");
  constants();
  strerrors();
  parse_table(0);
  host_bytes();
  reads_that_stay();
  relative_table();
  part_table();
  get_table();
  build_and_dup();
  long_strings();
  misuse();
  printf("results %lu\n", results);
  return 0;
}
