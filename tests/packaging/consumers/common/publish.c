/* A C application of the installed sio (C API only): the PROTOCOL.md §9.1 broadcast to the Redis URL given as
 * argv[1], a dry run first, and bad JSON refused with a status. Prints what the packaging test checks:
 * "version", "dry-run receivers", "refused", "receivers". */
#include <sio/emitter.h>

#include <stdio.h>
#include <string.h>

static const char kArgs[] = "[{\"type\":\"ORDER_UPDATED\",\"payload\":{\"id\":1},\"timestamp\":1700000000000}]";

static int publish(const char *url, int dry_run, long long *receivers) {
  sio_options options;
  sio_emitter *em = NULL;
  sio_target *user = NULL;
  sio_error err;
  int ok = 0;
  sio_options_init(&options);
  options.dry_run = dry_run;
  if (sio_emitter_new(url, &options, &em, &err) != SIO_OK) {
    fprintf(stderr, "sio_emitter_new: %s\n", err.message);
    return 0;
  }
  user = sio_target_new();
  if (user == NULL) {
    fprintf(stderr, "sio_target_new: out of memory\n");
  } else if (sio_target_to(user, "user:42", &err) != SIO_OK) {
    fprintf(stderr, "sio_target_to: %s\n", err.message);
  } else if (sio_emit_json(em, user, "notification", kArgs, receivers, &err) != SIO_OK) {
    fprintf(stderr, "sio_emit_json: %s (%s)\n", err.message, sio_strerror(err.status));
  } else {
    ok = 1;
  }
  sio_target_free(user);
  sio_emitter_free(em);
  return ok;
}

int main(int argc, char **argv) {
  long long receivers = 0;
  sio_emitter *em = NULL;
  sio_error err;
  sio_options options;
  sio_status status;
  if (argc != 2) {
    fprintf(stderr, "usage: %s REDIS_URL\n", argv[0]);
    return 2;
  }
  printf("version: headers %s, library %s (%u)\n", SIO_VERSION_STRING, sio_version(), sio_version_number());
  if (strcmp(sio_version(), SIO_VERSION_STRING) != 0 || sio_version_number() != SIO_C_VERSION_NUMBER) return 1;

  if (!publish(argv[1], 1, &receivers)) return 1;
  printf("dry-run receivers: %lld\n", receivers);

  sio_options_init(&options);
  options.dry_run = 1;
  if (sio_emitter_new(argv[1], &options, &em, &err) != SIO_OK) return 1;
  status = sio_emit_json(em, NULL, "notification", "[{", NULL, &err);
  sio_emitter_free(em);
  printf("refused: %s: %s\n", sio_strerror(status), err.message);
  if (status != SIO_E_INVALID_JSON) return 1;

  if (!publish(argv[1], 0, &receivers)) return 1;
  printf("receivers: %lld\n", receivers);
  return 0;
}
