/*
 * libcurl's option introspection, all of it printed:
 *
 *   option_list
 *
 * prints the layout of struct curl_easyoption and the CURLOT_ values, the
 * whole curl_easy_option_next() walk (each option's name, number, type and
 * flags, and whether the rows lie one after another as in libcurl's
 * array), then for every option what curl_easy_option_by_name() answers
 * for its name as listed, in lower case and in swapped case, and what
 * curl_easy_option_by_id() answers for its number (an alias's number
 * gives the option's own row); then names that are no option or oddly
 * written, next() from rows found by name and by number, and
 * curl_easy_option_by_id() over ranges of numbers around each type's
 * base. The last line counts the results.
 *
 * The test runs it built against libcurl and against Starling and
 * requires the same output.
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

static unsigned long results;

/* "NAME id type flags" of a row, or "NULL". */
static void print_row(const char *tag, const struct curl_easyoption *o)
{
  results++;
  if(!o)
    printf("%s NULL\n", tag);
  else
    printf("%s %s %d %d %u\n", tag, o->name, (int)o->id, (int)o->type, o->flags);
}

/* by_name(name), shown with the name asked for. */
static void ask_name(const char *name)
{
  char tag[200];
  snprintf(tag, sizeof(tag), "by_name [%s] ->", name ? name : "(NULL)");
  print_row(tag, curl_easy_option_by_name(name));
}

/* by_id(id), shown with the number asked for. */
static void ask_id(int id)
{
  char tag[64];
  snprintf(tag, sizeof(tag), "by_id %d ->", id);
  print_row(tag, curl_easy_option_by_id((CURLoption)id));
}

/* Whether by_name(copy of name changed by `change`) is row `o`. */
static const char *same_when(const struct curl_easyoption *o, int (*change)(int))
{
  char name[128];
  size_t i;
  for(i = 0; o->name[i] && i + 1 < sizeof(name); i++)
    name[i] = (char)change((unsigned char)o->name[i]);
  name[i] = 0;
  return curl_easy_option_by_name(name) == o ? "same" : "other";
}

/* Upper to lower and lower to upper. */
static int swap_case(int c)
{
  return isupper(c) ? tolower(c) : toupper(c);
}

/* The character itself. */
static int keep(int c)
{
  return c;
}

int main(void)
{
  const struct curl_easyoption *o, *prev = NULL;
  unsigned long count = 0, apart = 0;
  static const char *odd[] = {
    "", "url", "Url", "uRL", "CURLOPT_URL", "curlopt_url", "URL ", " URL",
    "U", "UR", "URLX", "URL\t", "ENCODING", "encoding", "Accept_Encoding",
    "ACCEPT-ENCODING", "ACCEPTENCODING", "post301", "POSTREDIR", "FILE",
    "file", "INFILE", "WRITEHEADER", "HEADERDATA", "WRITEDATA",
    "PROGRESSDATA", "XFERINFODATA", "RTSPHEADER", "SSLCERTPASSWD",
    "sslkeypasswd", "KEYPASSWD", "KRB4LEVEL", "krblevel", "FTP_SSL",
    "USE_SSL", "FTPLISTONLY", "DIRLISTONLY", "FTPAPPEND", "APPEND",
    "FTP_RESPONSE_TIMEOUT", "SERVER_RESPONSE_TIMEOUT",
    "MAIL_RCPT_ALLOWFAILS", "MAIL_RCPT_ALLLOWFAILS", "OBSOLETE40",
    "OBSOLETE72", "CONV_FROM_NETWORK_FUNCTION", "conv_to_network_function",
    "CONV_FROM_UTF8_FUNCTION", "LASTENTRY", "CURLOPT_LASTENTRY", "PROTOCOLS",
    "PROTOCOLS_STR", "QUICK_EXIT", "CA_CACHE_TIMEOUT", "WS_OPTIONS",
    "HAPROXY_CLIENT_IP", "ECH", "\xc3\xbcrl", "UR\xc4\xb0", "url\xff",
    "abstract_unix_socket", "zzzz", "AAAA", "_", "*", "%s",
  };
  static const int ids[] = {
    INT_MIN, INT_MIN + 1, -10000, -1, 0, 1, 2, INT_MAX, INT_MAX - 1,
    50000, 49999, 100000,
  };
  static const int bases[] = { 0, 10000, 20000, 30000, 40000 };
  size_t i;
  int id;

  printf("layout size %zu name %zu id %zu type %zu flags %zu\n",
         sizeof(struct curl_easyoption),
         offsetof(struct curl_easyoption, name),
         offsetof(struct curl_easyoption, id),
         offsetof(struct curl_easyoption, type),
         offsetof(struct curl_easyoption, flags));
  printf("types %d %d %d %d %d %d %d %d %d alias %d\n", CURLOT_LONG,
         CURLOT_VALUES, CURLOT_OFF_T, CURLOT_OBJECT, CURLOT_STRING,
         CURLOT_SLIST, CURLOT_CBPTR, CURLOT_BLOB, CURLOT_FUNCTION,
         CURLOT_FLAG_ALIAS);

  /* The walk, checking that each row follows the last in memory. */
  while((o = curl_easy_option_next(prev))) {
    if(prev && o != prev + 1)
      apart++;
    print_row("next", o);
    prev = o;
    count++;
  }
  printf("walked %lu rows, %lu not next to the one before\n", count, apart);
  print_row("next after the last ->", curl_easy_option_next(prev));

  /* Every row by its name (three ways) and by its number. */
  for(o = curl_easy_option_next(NULL); o; o = curl_easy_option_next(o)) {
    const struct curl_easyoption *by_id = curl_easy_option_by_id(o->id);
    results++;
    printf("row %s: name %s lower %s swapped %s id %s\n", o->name,
           same_when(o, keep), same_when(o, tolower),
           same_when(o, swap_case), by_id ? by_id->name : "NULL");
  }

  for(i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
    ask_name(odd[i]);
  ask_name(NULL);

  /* next() from rows found other ways. */
  print_row("next of by_name(encoding) ->",
            curl_easy_option_next(curl_easy_option_by_name("encoding")));
  print_row("next of by_name(XOAUTH2_BEARER), the last row, ->",
            curl_easy_option_next(curl_easy_option_by_name("XOAUTH2_BEARER")));
  print_row("next of by_id(URL) ->",
            curl_easy_option_next(curl_easy_option_by_id(CURLOPT_URL)));
  print_row("next of by_id(KEYPASSWD) ->",
            curl_easy_option_next(curl_easy_option_by_id(CURLOPT_KEYPASSWD)));
  printf("by_name(url) is by_id(URL): %s\n",
         curl_easy_option_by_name("url") == curl_easy_option_by_id(CURLOPT_URL) ?
         "yes" : "no");
  printf("first row is by_name(%s): %s\n", curl_easy_option_next(NULL)->name,
         curl_easy_option_by_name(curl_easy_option_next(NULL)->name) ==
         curl_easy_option_next(NULL) ? "yes" : "no");

  for(i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
    ask_id(ids[i]);
  for(i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
    for(id = bases[i] - 3; id <= bases[i] + 340; id++)
      ask_id(id);

  printf("results %lu\n", results);
  return 0;
}
