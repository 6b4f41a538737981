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
  sio_status (*emit)(sio_emitter *, const sio_target *, const char *, const sio_arg *, size_t, long long *,
                     sio_error *) = sio_emit;
  err.status = SIO_OK;
  err.message[0] = '\0';
  options.dry_run = 1;
  (void)emitter;
  (void)target;
  (void)emit;
  return (int)arg.kind + options.dry_run + (int)err.status + SIO_ERROR_MESSAGE_SIZE + SIO_C_VERSION_NUMBER;
}
