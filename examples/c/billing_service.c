/* A billing service in C99: tells each user whose invoice was paid, through the sio C API.
 *
 *   sio-example-billing-service [--redis URL] [USER_ID AMOUNT_CENTS]...
 *   printf '42 1250\n7 990\n' | sio-example-billing-service
 *
 * Invoices come from the command line (pairs) or, when none are given there, from stdin lines "user_id amount_cents"
 * (blank lines and lines starting with '#' are skipped). Each one becomes the event "notification" to room
 * "user:<id>":  {"type":"INVOICE_PAID","payload":{"amount":1250,"currency":"EUR"},"timestamp":1764336000000}
 * (amount in cents, an integer: money is never a float). Redis: --redis, else $REDIS_URL, else the library default.
 *
 * Exit status: 0 when every invoice was published, 1 when any failed (bad line or Redis), 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: C99 alone has no millisecond clock */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sio/emitter.h>

#define MAX_ID_DIGITS 18     /* fits a long long; longer ids are refused rather than truncated */
#define MAX_AMOUNT_DIGITS 15 /* below 2^53: JavaScript receives the exact integer */

typedef struct totals {
  long invoices;
  long published;
  long failed;
  long long receivers;
} totals;

static int all_digits(const char *s, size_t max_len) {
  size_t n = 0;
  if (s == NULL || *s == '\0') return 0;
  for (; s[n] != '\0'; ++n) {
    if (n >= max_len || s[n] < '0' || s[n] > '9') return 0;
  }
  return 1;
}

static long long now_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (long long)time(NULL) * 1000LL;
  return (long long)ts.tv_sec * 1000LL + (long long)(ts.tv_nsec / 1000000L);
}

/* "billing: <what>: <the status in words>: <the library's message>"; what == NULL when the status says it all. */
static void report(const char *what, const sio_error *err) {
  if (what == NULL) {
    fprintf(stderr, "billing: %s: %s\n", sio_strerror(err->status), err->message);
  } else {
    fprintf(stderr, "billing: %s: %s: %s\n", what, sio_strerror(err->status), err->message);
  }
}

/* Publishes one invoice. The id and amount are digits only (checked here), so the JSON and the room name are built
 * from trusted characters: nothing from the input reaches the JSON text unvalidated. */
static void pay(sio_emitter *em, const char *user_id, const char *amount, totals *t) {
  char room[sizeof "user:" + MAX_ID_DIGITS];
  char json[160];
  char what[96];
  long long receivers = 0;
  sio_error err;
  sio_arg arg;
  sio_target *target;
  int n;

  t->invoices++;
  if (!all_digits(user_id, MAX_ID_DIGITS) || !all_digits(amount, MAX_AMOUNT_DIGITS)) {
    /* Not echoed verbatim: the input may hold anything, including terminal escapes. */
    fprintf(stderr, "billing: invoice %ld: expected \"USER_ID AMOUNT_CENTS\" as digits (at most %d and %d)\n",
            t->invoices, MAX_ID_DIGITS, MAX_AMOUNT_DIGITS);
    t->failed++;
    return;
  }
  /* strtoll drops leading zeros: "0042" is user 42, and the amount is a JSON number without leading zeros. */
  n = snprintf(room, sizeof room, "user:%lld", strtoll(user_id, NULL, 10));
  if (n < 0 || (size_t)n >= sizeof room) goto internal;
  n = snprintf(json, sizeof json, "{\"type\":\"INVOICE_PAID\",\"payload\":{\"amount\":%lld,\"currency\":\"EUR\"},"
               "\"timestamp\":%lld}", strtoll(amount, NULL, 10), now_ms());
  if (n < 0 || (size_t)n >= sizeof json) goto internal;
  snprintf(what, sizeof what, "invoice %ld for %s", t->invoices, room);

  target = sio_target_new();
  if (target == NULL) {
    fprintf(stderr, "billing: %s: out of memory\n", what);
    t->failed++;
    return;
  }
  arg.kind = SIO_ARG_JSON;
  arg.data = json;
  arg.size = strlen(json);
  if (sio_target_to(target, room, &err) != SIO_OK ||
      sio_emit(em, target, "notification", &arg, 1, &receivers, &err) != SIO_OK) {
    report(what, &err);
    t->failed++;
  } else {
    if (receivers == 0) {
      /* Published, but no Socket.IO server listens on this key and namespace: worth a warning, not a failure. */
      fprintf(stderr, "billing: warning: %s: 0 receivers (no Socket.IO server subscribed?)\n", what);
    }
    printf("billing: %s: %lld cents, %lld receiver(s)\n", what, strtoll(amount, NULL, 10), receivers);
    t->published++;
    t->receivers += receivers;
  }
  sio_target_free(target);
  return;

internal:
  fprintf(stderr, "billing: invoice %ld: cannot format the notification\n", t->invoices);
  t->failed++;
}

static void read_stdin(sio_emitter *em, totals *t) {
  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char user_id[32];
    char amount[32];
    char extra[2];
    int fields;
    if (strchr(line, '\n') == NULL && !feof(stdin)) {
      int c;
      while ((c = getchar()) != EOF && c != '\n') {
      } /* an overlong line: drop the rest of it and count it as bad */
      pay(em, "", "", t);
      continue;
    }
    fields = sscanf(line, "%31s %31s %1s", user_id, amount, extra);
    if (fields <= 0 || user_id[0] == '#') continue; /* blank or comment */
    if (fields != 2) {
      pay(em, "", "", t);
      continue;
    }
    pay(em, user_id, amount, t);
  }
  if (ferror(stdin)) {
    fprintf(stderr, "billing: error reading stdin\n");
    t->failed++;
  }
}

int main(int argc, char **argv) {
  const char *url = getenv("REDIS_URL");
  int first = 1;
  sio_emitter *em = NULL;
  sio_error err;
  totals t = {0, 0, 0, 0};
  int i;

  if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
    printf("usage: %s [--redis URL] [USER_ID AMOUNT_CENTS]...   (no invoices: read them from stdin)\n", argv[0]);
    return 0;
  }
  if (argc > 2 && strcmp(argv[1], "--redis") == 0) {
    url = argv[2];
    first = 3;
  }
  if ((argc - first) % 2 != 0) {
    fprintf(stderr, "billing: usage: %s [--redis URL] [USER_ID AMOUNT_CENTS]...\n", argv[0]);
    return 2;
  }
  if (url != NULL && *url == '\0') url = NULL; /* REDIS_URL= means the default */

  /* The library must be the one these declarations describe (same MAJOR.MINOR). */
  if (sio_version_number() / 100 != SIO_C_VERSION_NUMBER / 100) {
    fprintf(stderr, "billing: libsio-emitter %s does not match sio/emitter.h %d.%d\n", sio_version(),
            SIO_C_VERSION_MAJOR, SIO_C_VERSION_MINOR);
    return 1;
  }
  if (sio_emitter_new(url, NULL, &em, &err) != SIO_OK) {
    report("cannot create the emitter", &err);
    return 1;
  }
  /* Connect once up front: an unreachable Redis is one clear error, not one per invoice. */
  if (sio_emitter_connect(em, &err) != SIO_OK) {
    report(NULL, &err); /* "Redis unreachable: cannot connect to Redis at ...", or the refusal/timeout/TLS error */
    sio_emitter_free(em);
    return 1;
  }

  if (first < argc) {
    for (i = first; i + 1 < argc; i += 2) pay(em, argv[i], argv[i + 1], &t);
  } else {
    read_stdin(em, &t);
  }

  if (sio_emitter_flush(em, 5000, &err) != SIO_OK) {
    report("flush", &err);
    t.failed++;
  }
  sio_emitter_free(em);

  printf("billing: %ld invoice(s): %ld published, %ld failed, %lld receiver(s)\n", t.invoices, t.published, t.failed,
         t.receivers);
  return t.failed == 0 ? 0 : 1;
}
