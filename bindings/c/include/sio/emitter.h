/* sio/emitter.h: the C API of sio. Publish Socket.IO broadcasts through Redis, byte-for-byte like the npm package
 * @socket.io/redis-emitter 5.1.0, from C or any language with a C FFI (Python ctypes, Go cgo, Rust, Ruby FFI).
 *
 *   sio_emitter *em = NULL;
 *   sio_error err;
 *   if (sio_emitter_new("redis://127.0.0.1:6379", NULL, &em, &err) != SIO_OK) { puts(err.message); ... }
 *   sio_target *user = sio_target_new();
 *   sio_target_to(user, "user:42", &err);
 *   long long receivers = 0;
 *   sio_emit_json(em, user, "notification", "[{\"type\":\"ORDER_UPDATED\"}]", &receivers, &err);
 *   sio_target_free(user);
 *   sio_emitter_free(em);
 *
 * Conventions
 * - Every function that can fail returns an sio_status (SIO_OK = 0) and takes a last `sio_error *err` that may be
 *   NULL; on failure it is filled with the same status and a NUL-terminated message naming what was wrong; on
 *   success its status is set to SIO_OK and its message to "". The caller owns the sio_error (on the stack is
 *   fine). No function aborts or lets a C++ exception escape: NULL pointers, bad JSON, invalid UTF-8 and an
 *   unreachable Redis are all reported as statuses.
 * - Strings are NUL-terminated UTF-8 and are copied: the caller may free them when the call returns.
 * - Bad input is refused before anything is published: a failed call with a data status published nothing.
 * - Thread safety: an sio_emitter may be used from several threads at once (its one Redis connection is pipelined
 *   and served by an I/O thread). An sio_target is a plain value: mutate it from one thread; once built, any number
 *   of threads may pass it (const) to emits at the same time.
 * - Waiting: sio_emit and sio_emit_json with `receivers` NULL only queue the PUBLISH and return (pipelined, the fast
 *   path); a failure after that is reported by the next sio_emitter_flush, never dropped. While Redis is unreachable
 *   they are buffered (by default up to 100000 messages / 64 MiB, then SIO_E_CONNECTION at the call: see
 *   sio_options) and sent, in order, once the emitter has reconnected in the background (exponential backoff with
 *   jitter). With `receivers` non-NULL
 *   they wait for Redis' reply and store the number of subscriptions that received it. The other publishing calls
 *   always wait. Commands reach Redis in the order they were queued. Requests (delivery confirmation, presence,
 *   server acknowledgements) also wait for the Socket.IO servers' answers, at most their timeout.
 * - Strings the library returns (the `char **` results of requests) are malloc'd, NUL-terminated JSON owned by the
 *   caller: release them with sio_free.
 */
#ifndef SIO_EMITTER_H
#define SIO_EMITTER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SIO_C_API
#elif defined(__GNUC__) || defined(__clang__)
#define SIO_C_API __attribute__((visibility("default")))
#else
#define SIO_C_API
#endif

/* The version of these declarations; sio_version() gives the linked library's. sio/version.h is generated from the
 * CMake project version (SIO_VERSION_MAJOR, _MINOR, _PATCH, _STRING, _NUMBER). */
#include "sio/version.h"
#define SIO_C_VERSION_MAJOR SIO_VERSION_MAJOR
#define SIO_C_VERSION_MINOR SIO_VERSION_MINOR
#define SIO_C_VERSION_PATCH SIO_VERSION_PATCH
#define SIO_C_VERSION_NUMBER SIO_VERSION_NUMBER

typedef enum sio_status {
  SIO_OK = 0,
  /* Bad input: nothing was published. */
  SIO_E_INVALID_ARGUMENT = 1, /* NULL where a value is needed, empty event or room, bad option */
  SIO_E_INVALID_JSON = 2,     /* the message gives line and column */
  SIO_E_INVALID_UTF8 = 3,
  SIO_E_RESERVED_EVENT = 4,   /* connect, disconnect, ... (and connection, new_namespace for server-side emits) */
  SIO_E_INVALID_URL = 5,
  /* Redis: the command may or may not have reached Redis. */
  SIO_E_CONNECTION = 10,      /* cannot connect, or the connection broke */
  SIO_E_AUTH = 11,            /* AUTH refused, or an ACL denies the command */
  SIO_E_TIMEOUT = 12,
  SIO_E_REPLY = 13,           /* another error reply from Redis */
  SIO_E_PROTOCOL = 14,        /* an unexpected reply */
  SIO_E_TLS = 15,             /* TLS: certificate refused, CA/certificate/key file unreadable, handshake failed */
  /* The library itself. */
  SIO_E_NO_MEMORY = 20,
  SIO_E_INTERNAL = 21
} sio_status;

#define SIO_ERROR_MESSAGE_SIZE 512

/* Caller-owned details of the last failure of a call. */
typedef struct sio_error {
  sio_status status;
  char message[SIO_ERROR_MESSAGE_SIZE]; /* NUL-terminated; truncated if longer */
} sio_error;

/* A short, static description of a status ("invalid JSON", "Redis unreachable", ...). Never NULL. */
SIO_C_API const char *sio_strerror(sio_status status);

/* The linked library's version: "MAJOR.MINOR.PATCH", and MAJOR*10000 + MINOR*100 + PATCH. */
SIO_C_API const char *sio_version(void);
SIO_C_API unsigned sio_version_number(void);

/* ---- Emitter ------------------------------------------------------------------------------------------------- */

typedef struct sio_emitter sio_emitter;

/* What a queued emit does while Redis is unreachable and the outage buffer is full. */
typedef enum sio_overflow_policy {
  SIO_OVERFLOW_FAIL_NEW = 0,   /* the new emit fails with SIO_E_CONNECTION and is not kept */
  SIO_OVERFLOW_DROP_OLDEST = 1 /* the oldest buffered emit is dropped; the next sio_emitter_flush reports it */
} sio_overflow_policy;

/* Which Redis adapter the Socket.IO servers run: what the emitter sends them. */
typedef enum sio_mode {
  SIO_MODE_CLASSIC = 0, /* createAdapter: PUBLISH, as @socket.io/redis-emitter */
  SIO_MODE_SHARDED = 1, /* createShardedAdapter (Redis >= 7): SPUBLISH */
  SIO_MODE_STREAMS = 2  /* @socket.io/redis-streams-adapter: XADD, durable; receivers are reported as -1 */
} sio_mode;

/* The sharded servers' subscriptionMode: which room channels they subscribe. When unsure, STATIC always arrives. */
typedef enum sio_subscription_mode {
  SIO_SUBSCRIPTION_DYNAMIC = 0,
  SIO_SUBSCRIPTION_STATIC = 1,
  SIO_SUBSCRIPTION_DYNAMIC_PRIVATE = 2
} sio_subscription_mode;

typedef struct sio_options {
  const char *key;          /* channel prefix, the servers' createAdapter() key; NULL = "socket.io" */
  long connect_timeout_ms;  /* <= 0 = 5000 */
  long command_timeout_ms;  /* <= 0 = 5000 */
  const char *username;     /* NULL = from the URL */
  const char *password;     /* NULL = from the URL */
  int dry_run;              /* non-zero: validate and encode, never connect; receivers are reported as -1 */
  long request_timeout_ms;  /* how long requests wait for the servers' answers (see Requests); <= 0 = 5000 */
  /* While Redis is unreachable (see "Waiting" above): how many queued emits are kept for when it is back, and what
   * happens to the next one once that bound is reached. A zeroed struct gets the defaults. */
  long max_buffered_messages;         /* 0 = 100000; < 0 = none: queued emits fail at once with SIO_E_CONNECTION */
  long long max_buffered_bytes;       /* <= 0 = 64 MiB (payload bytes plus a few of framing per message) */
  int overflow;                       /* an sio_overflow_policy: SIO_OVERFLOW_FAIL_NEW (0, the default) or _DROP_OLDEST */
  long reconnect_delay_ms;            /* first background reconnect delay, doubling per attempt; <= 0 = 100 */
  long max_reconnect_delay_ms;        /* the delay's cap (each is random up to it: full jitter); <= 0 = 5000 */
  /* TLS to Redis: a rediss:// URL turns it on (or `tls` with redis://). The server's certificate is verified against
   * the CAs below (none given: the system's store) and the URL's host (or tls_server_name); failures are SIO_E_TLS.
   * The strings are copied by sio_emitter_new; NULL = unset. */
  const char *tls_ca_file;      /* trusted CA certificates (PEM) */
  const char *tls_ca_dir;       /* a directory of CA certificates prepared with `openssl rehash` */
  const char *tls_cert_file;    /* client certificate (PEM), for servers with tls-auth-clients; needs tls_key_file */
  const char *tls_key_file;     /* its private key (PEM) */
  const char *tls_server_name;  /* the name to verify and send (SNI) when it differs from the URL's host */
  int tls_insecure;             /* non-zero: accept any certificate (tests only, never in production) */
  int tls;                      /* non-zero: TLS with a redis:// URL too */
  /* The servers' adapter (README: Which mode); a zeroed struct means classic. `key` is their channelPrefix. */
  int mode;                     /* an sio_mode: SIO_MODE_CLASSIC (0), SIO_MODE_SHARDED or SIO_MODE_STREAMS */
  int subscription_mode;        /* sharded: an sio_subscription_mode, the servers' subscriptionMode (0 = dynamic) */
  const char *stream_name;      /* streams: the servers' streamName; NULL = "socket.io" */
  long stream_count;            /* streams: their streamCount; <= 0 = 1 */
  long stream_max_len;          /* streams: their maxLen, each XADD trims to about that many entries; <= 0 = 10000 */
} sio_options;

/* Fills `options` with the defaults. */
SIO_C_API void sio_options_init(sio_options *options);

/* Creates an emitter for redis://[user[:password]@]host[:port][/db], rediss://... (TLS) or unix:///path
 * (NULL = redis://127.0.0.1:6379); `options` may be NULL. Does not connect yet (see sio_emitter_connect). On success *out owns a new emitter to be
 * released with sio_emitter_free; on failure *out is set to NULL. */
SIO_C_API sio_status sio_emitter_new(const char *redis_url, const sio_options *options, sio_emitter **out,
                                     sio_error *err);
/* Releases the emitter and closes its connection, after waiting up to the command timeout for queued emits (call
 * sio_emitter_flush first to learn whether they all succeeded). NULL is allowed. Not while other threads use it. */
SIO_C_API void sio_emitter_free(sio_emitter *emitter);
/* Connects now, to fail fast; otherwise the first publish connects. */
SIO_C_API sio_status sio_emitter_connect(sio_emitter *emitter, sio_error *err);
/* Waits until everything queued so far (from any thread) is answered by Redis. SIO_E_TIMEOUT if some is not within
 * timeout_ms (<= 0: no bound but the command timeout, which ends every command); otherwise, if an emit queued
 * without `receivers` failed since the previous flush, the first failure's status, its message counting them. */
SIO_C_API sio_status sio_emitter_flush(sio_emitter *emitter, long timeout_ms, sio_error *err);

/* ---- Targets: who a broadcast reaches ------------------------------------------------------------------------- */

typedef struct sio_target sio_target;

/* A new target: namespace "/", every socket, no flags. NULL only when out of memory. Free with sio_target_free. */
SIO_C_API sio_target *sio_target_new(void);
/* A copy of `target` (NULL when out of memory or target is NULL). */
SIO_C_API sio_target *sio_target_clone(const sio_target *target);
SIO_C_API void sio_target_free(sio_target *target);
/* The namespace; "admin" means "/admin". */
SIO_C_API sio_status sio_target_set_nsp(sio_target *target, const char *nsp, sio_error *err);
/* Adds a room to reach (to/in) or to leave out (except). Rooms are sets: adding one twice changes nothing. */
SIO_C_API sio_status sio_target_to(sio_target *target, const char *room, sio_error *err);
SIO_C_API sio_status sio_target_except(sio_target *target, const char *room, sio_error *err);
/* Socket.IO's volatile flag (may be dropped for clients not ready) and compress flag. */
SIO_C_API sio_status sio_target_set_volatile(sio_target *target, sio_error *err);
SIO_C_API sio_status sio_target_set_compress(sio_target *target, int enabled, sio_error *err);

/* ---- Publishing ------------------------------------------------------------------------------------------------
 * `target` may be NULL: the whole "/" namespace. `receivers` may be NULL (then sio_emit and sio_emit_json only queue:
 * see "Waiting" above); otherwise the call waits and it gets Redis' PUBLISH reply (the subscriptions that received it;
 * with the classic adapter, one per server of the namespace; 0 = nobody listens on that key and namespace), or -1 in
 * dry-run mode. */

/* Emits `event` with the arguments of a JSON array ("[1, {\"a\": 2}]"); NULL or "[]" = no arguments. */
SIO_C_API sio_status sio_emit_json(sio_emitter *emitter, const sio_target *target, const char *event,
                                   const char *json_args, long long *receivers, sio_error *err);

typedef enum sio_arg_kind {
  SIO_ARG_JSON = 0,   /* data/size: JSON text of one value */
  SIO_ARG_STRING = 1, /* data/size: UTF-8 text, sent as a string */
  SIO_ARG_BINARY = 2, /* data/size: bytes, received as a Buffer / ArrayBuffer */
  SIO_ARG_MSGPACK = 3 /* data/size: one msgpack value, read as notepack.io reads it on a Node server: for binary or
                         dates inside a value (a bin arrives as a Buffer, a timestamp ext -1 as a Date); map keys
                         must be strings. Malformed msgpack is SIO_E_INVALID_ARGUMENT. */
} sio_arg_kind;

typedef struct sio_arg {
  sio_arg_kind kind;
  const void *data; /* may be NULL when size is 0 */
  size_t size;
} sio_arg;

/* Emits `event` with `count` arguments of any kind, in order. */
SIO_C_API sio_status sio_emit(sio_emitter *emitter, const sio_target *target, const char *event,
                              const sio_arg *args, size_t count, long long *receivers, sio_error *err);

/* What one publish did, reported whole by sio_emit_sync. */
typedef struct sio_published {
  long long receivers; /* as `receivers` above; -1 when not known: streams mode (the servers read the stream), a
                          classic PUBLISH on a Redis Cluster (its reply counts one node's subscribers), dry run */
  char offset[48];     /* streams mode: the entry's id, the offset clients recover from ("1700000000000-0");
                          "" otherwise */
} sio_published;

/* sio_emit that always waits for Redis' reply and reports it in `out` (required): the receivers, or in streams mode
 * the entry id. On failure `out` holds -1 and "". */
SIO_C_API sio_status sio_emit_sync(sio_emitter *emitter, const sio_target *target, const char *event,
                                   const sio_arg *args, size_t count, sio_published *out, sio_error *err);

/* Makes the targeted sockets join / leave `count` rooms. */
SIO_C_API sio_status sio_sockets_join(sio_emitter *emitter, const sio_target *target, const char *const *rooms,
                                      size_t count, long long *receivers, sio_error *err);
SIO_C_API sio_status sio_sockets_leave(sio_emitter *emitter, const sio_target *target, const char *const *rooms,
                                       size_t count, long long *receivers, sio_error *err);
/* Disconnects the targeted sockets; close non-zero also closes their underlying connections. */
SIO_C_API sio_status sio_disconnect_sockets(sio_emitter *emitter, const sio_target *target, int close,
                                            long long *receivers, sio_error *err);
/* Emits to the server-side listeners of namespace `nsp` (NULL = "/") on every server; arguments as sio_emit_json. */
SIO_C_API sio_status sio_server_side_emit_json(sio_emitter *emitter, const char *nsp, const char *event,
                                               const char *json_args, long long *receivers, sio_error *err);
/* The same with `count` arguments of any kind (binary, msgpack), as sio_emit takes them. */
SIO_C_API sio_status sio_server_side_emit(sio_emitter *emitter, const char *nsp, const char *event,
                                          const sio_arg *args, size_t count, long long *receivers, sio_error *err);

/* ---- Requests: asking the Socket.IO servers ----------------------------------------------------------------------
 * A request is published on <key>-request#<nsp># and every server of the namespace answers it (the Redis adapter's
 * request/response protocol, as Node servers use among themselves). The call counts the servers first (the
 * subscribers of that channel, as in sio_server_count), then waits until each answered or the timeout passed:
 * `timeout_ms` > 0, or <= 0 for the options' request_timeout_ms. A timeout is not an error: the call returns SIO_OK
 * with replies.timed_out set and what arrived in time (answered < servers says how partial it is). Redis failures
 * and bad input are statuses as for the other calls; bad input publishes nothing. In dry-run mode a request
 * validates and encodes but publishes nothing and waits for nobody: servers 0, answered 0, empty results.
 *
 * Every result pointer (out, the `char **` JSON results, count) may be NULL when not wanted. On failure each
 * non-NULL one is set to zero / NULL; on success each `char **` receives a malloc'd JSON string to release with
 * sio_free. Each request uses a short-lived connection of its own, so requests from several threads do not wait
 * for each other or for queued emits. */

/* What the servers answered to a request (delivery confirmation, presence, acknowledgements). */
typedef struct sio_replies {
  size_t servers;  /* answers expected: servers subscribed to the request channel */
  size_t answered; /* answers received in time */
  int timed_out;   /* non-zero: the timeout came first and the result is partial */
} sio_replies;

/* What a confirmed emit reached. */
typedef struct sio_delivery {
  sio_replies replies;
  size_t clients; /* sockets the event was written to, summed over the servers that answered */
  size_t acks;    /* client acknowledgements received (wait_for_acks only) */
} sio_delivery;

/* Emits `event` (arguments as sio_emit_json) with delivery confirmation: each server writes it to its targeted
 * sockets and reports how many (out->clients). The clients receive it with an ack id, so a listener may answer
 * (socket.on("notification", (n, ack) => ack(...))). wait_for_acks non-zero also waits, within the same timeout, for
 * the acknowledgement of every socket it was written to (Node's emitWithAck); `acks_json`, when not NULL, receives
 * a JSON array of the first argument of each client ack, in arrival order ("[]" without wait_for_acks). A timeout
 * is SIO_OK with out->replies.timed_out set (partial result), never an error. */
SIO_C_API sio_status sio_emit_confirmed_json(sio_emitter *emitter, const sio_target *target, const char *event,
                                             const char *json_args, long timeout_ms, int wait_for_acks,
                                             sio_delivery *out, char **acks_json, sio_error *err);
/* The same with `count` arguments of any kind, as sio_emit takes them. */
SIO_C_API sio_status sio_emit_confirmed(sio_emitter *emitter, const sio_target *target, const char *event,
                                        const sio_arg *args, size_t count, long timeout_ms, int wait_for_acks,
                                        sio_delivery *out, char **acks_json, sio_error *err);

/* Presence (fetchSockets): the targeted sockets on every server. `sockets_json` receives a JSON array of
 * {"id":..,"rooms":[..],"handshake":{..},"data":..} (rooms include the socket's own id; handshake as Socket.IO
 * describes it: headers, time, address, xdomain, secure, issued, url, query, auth; data is socket.data; a member a
 * server left out is null); `count` the number of sockets in it. */
SIO_C_API sio_status sio_fetch_sockets_json(sio_emitter *emitter, const sio_target *target, long timeout_ms,
                                            sio_replies *out, char **sockets_json, size_t *count, sio_error *err);

/* serverSideEmitWithAck: emits to the server-side listeners of namespace `nsp` (NULL = "/"), arguments as
 * sio_emit_json, and collects each server's acknowledgement (Node servers answer when a listener calls its last
 * argument, a callback). `responses_json` receives a JSON array of the value each answering server acknowledged
 * with, in arrival order (undefined -> null). */
SIO_C_API sio_status sio_server_side_emit_with_ack_json(sio_emitter *emitter, const char *nsp, const char *event,
                                                        const char *json_args, long timeout_ms, sio_replies *out,
                                                        char **responses_json, sio_error *err);
/* The same with `count` arguments of any kind, as sio_emit takes them. */
SIO_C_API sio_status sio_server_side_emit_with_ack(sio_emitter *emitter, const char *nsp, const char *event,
                                                   const sio_arg *args, size_t count, long timeout_ms,
                                                   sio_replies *out, char **responses_json, sio_error *err);

/* The servers of namespace `nsp` (NULL = "/"): PUBSUB NUMSUB of its request channel, the number of answers a
 * request expects. 0 in dry-run mode. */
SIO_C_API sio_status sio_server_count(sio_emitter *emitter, const char *nsp, long long *count, sio_error *err);

/* Frees a string the library allocated (NULL allowed). */
SIO_C_API void sio_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* SIO_EMITTER_H */
