/* sio-bench-c-emit: the C API's cost per queued emit, the reference of bench/run item 8 (the Python package's
 * overhead over it). N times: a target for "user:42" (sio_target_new / _to / _free, as a C caller writing
 * io.to(room).emit() does), the notification's JSON text with this iteration's orderId, sio_emit with receivers
 * NULL (queued); then sio_emitter_flush. Prints {"count":N,"seconds":S,"per_emit_us":U}. With --rooms K the n-th
 * emit goes to "user:<n mod K>" (default 1: always "user:42").
 *   sio-bench-c-emit --redis URL --count N [--rooms K] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sio/emitter.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const sio_error *err) {
  fprintf(stderr, "sio-bench-c-emit: %s: %s\n", what, err->message);
  return 1;
}

int main(int argc, char **argv) {
  const char *url = NULL;
  long count = 0;
  long rooms = 1;
  int i;
  for (i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--redis") == 0) url = argv[i + 1];
    else if (strcmp(argv[i], "--count") == 0) count = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--rooms") == 0) rooms = strtol(argv[i + 1], NULL, 10);
  }
  if (url == NULL || count <= 0 || rooms <= 0 || i != argc) {
    fprintf(stderr, "usage: sio-bench-c-emit --redis URL --count N [--rooms K]\n");
    return 2;
  }
  sio_error err;
  sio_emitter *em = NULL;
  if (sio_emitter_new(url, NULL, &em, &err) != SIO_OK) return fail("sio_emitter_new", &err);
  if (sio_emitter_connect(em, &err) != SIO_OK) return fail("connect", &err);
  char json[160];
  char room[32] = "user:42";
  sio_arg arg = {SIO_ARG_JSON, json, 0};
  const double start = now_s();
  for (long n = 0; n < count; ++n) {
    sio_target *user = sio_target_new();
    if (rooms > 1) snprintf(room, sizeof room, "user:%ld", n % rooms);
    if (user == NULL || sio_target_to(user, room, &err) != SIO_OK) return fail("sio_target_to", &err);
    const int len = snprintf(json, sizeof json,
                             "{\"type\":\"ORDER_UPDATED\",\"payload\":{\"orderId\":%ld},\"timestamp\":1764336000000}",
                             n);
    arg.size = (size_t)len;
    const sio_status status = sio_emit(em, user, "notification", &arg, 1, NULL, &err);
    sio_target_free(user);
    if (status != SIO_OK) return fail("sio_emit", &err);
  }
  if (sio_emitter_flush(em, 0, &err) != SIO_OK) return fail("flush", &err);
  const double seconds = now_s() - start;
  printf("{\"count\":%ld,\"seconds\":%.6f,\"per_emit_us\":%.3f}\n", count, seconds, seconds * 1e6 / (double)count);
  sio_emitter_free(em);
  return 0;
}
