/* The C API header alone, as strict C99: the build fails if it stops being valid C. */
#include "sio/emitter.h"

/* Uses every type so that their declarations are compiled, not just skimmed. */
int sio_header_check_c(void);
int sio_header_check_c(void) {
  sio_error err;
  sio_options options;
  sio_arg arg = {SIO_ARG_BINARY, NULL, 0};
  sio_emitter *emitter = NULL;
  sio_target *target = NULL;
  sio_delivery delivery;
  sio_replies replies;
  char *json = NULL;
  sio_status (*confirmed)(sio_emitter *, const sio_target *, const char *, const char *, long, int, sio_delivery *,
                          char **, sio_error *) = sio_emit_confirmed_json;
  sio_status (*fetch)(sio_emitter *, const sio_target *, long, sio_replies *, char **, size_t *, sio_error *) =
      sio_fetch_sockets_json;
  sio_status (*server_acks)(sio_emitter *, const char *, const char *, const char *, long, sio_replies *, char **,
                            sio_error *) = sio_server_side_emit_with_ack_json;
  sio_status (*server_count)(sio_emitter *, const char *, long long *, sio_error *) = sio_server_count;
  sio_status (*confirmed_args)(sio_emitter *, const sio_target *, const char *, const sio_arg *, size_t, long, int,
                               sio_delivery *, char **, sio_error *) = sio_emit_confirmed;
  sio_status (*server_side)(sio_emitter *, const char *, const char *, const sio_arg *, size_t, long long *,
                            sio_error *) = sio_server_side_emit;
  sio_status (*server_acks_args)(sio_emitter *, const char *, const char *, const sio_arg *, size_t, long,
                                 sio_replies *, char **, sio_error *) = sio_server_side_emit_with_ack;
  void (*release)(void *) = sio_free;
  sio_status (*emit)(sio_emitter *, const sio_target *, const char *, const sio_arg *, size_t, long long *,
                     sio_error *) = sio_emit;
  err.status = SIO_OK;
  err.message[0] = '\0';
  options.dry_run = 1;
  options.request_timeout_ms = 0;
  delivery.replies.servers = 0;
  delivery.replies.answered = 0;
  delivery.replies.timed_out = 0;
  delivery.clients = 0;
  delivery.acks = 0;
  replies = delivery.replies;
  (void)json;
  (void)confirmed;
  (void)fetch;
  (void)server_acks;
  (void)server_count;
  (void)confirmed_args;
  (void)server_side;
  (void)server_acks_args;
  (void)release;
  (void)emitter;
  (void)target;
  (void)emit;
  return (int)arg.kind + replies.timed_out + (int)delivery.acks + (int)options.request_timeout_ms + options.dry_run +
         (int)err.status + SIO_ERROR_MESSAGE_SIZE + SIO_C_VERSION_NUMBER;
}
