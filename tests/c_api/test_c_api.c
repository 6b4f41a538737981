/* test_c_api.c: the C API (sio/emitter.h) from C99, against real redis-server processes it starts itself on
 * loopback ports. A raw hiredis subscriber, independent of the code under test, checks the exact bytes published.
 *
 * Usage: sio-c-api-tests [path/to/redis-server]   (default: $SIO_REDIS_SERVER, else redis-server on PATH) */
#define _GNU_SOURCE /* fork/exec, mkdtemp, prctl, nanosleep, clock_gettime, memmem under -std=c99 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sio/emitter.h"

/* ---- Time ------------------------------------------------------------------------------------------------------ */

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

static struct timeval timeval_ms(long ms) {
  struct timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

/* ---- redis-server child processes -------------------------------------------------------------------------------- */

typedef struct redis_proc {
  pid_t pid;
  int port;
  char dir[64];
  char log[128];
  char url[64];
} redis_proc;

static const char *find_redis_server(int argc, char **argv) {
  static char found[4096];
  const char *env = getenv("SIO_REDIS_SERVER");
  const char *path = getenv("PATH");
  if (argc > 1 && argv[1][0] != '\0') return argv[1];
  if (env != NULL && env[0] != '\0') return env;
  while (path != NULL && *path != '\0') {
    const char *end = strchr(path, ':');
    size_t len = end ? (size_t)(end - path) : strlen(path);
    snprintf(found, sizeof found, "%.*s/redis-server", (int)len, path);
    if (access(found, X_OK) == 0) return found;
    path = end ? end + 1 : NULL;
  }
  return NULL;
}

/* A port nobody listens on right now (the kernel's pick for an ephemeral bind). */
static int free_port(void) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int port = -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

static redisContext *connect_port(int port, long timeout_ms) {
  redisContext *c = redisConnectWithTimeout("127.0.0.1", port, timeval_ms(timeout_ms));
  if (c != NULL && c->err != 0) {
    redisFree(c);
    return NULL;
  }
  if (c != NULL) redisSetTimeout(c, timeval_ms(2000)); /* every later read is bounded */
  return c;
}

static int answers_ping(int port) {
  int up = 0;
  redisContext *c = connect_port(port, 200);
  redisReply *r;
  if (c == NULL) return 0;
  r = redisCommand(c, "PING");
  /* NOAUTH also proves the server is up: it wants the password first. */
  if (r != NULL)
    up = r->type == REDIS_REPLY_STATUS || (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0);
  if (r != NULL) freeReplyObject(r);
  redisFree(c);
  return up;
}

static void redis_stop(redis_proc *r) {
  long long deadline;
  int status;
  if (r->pid <= 0) return;
  kill(r->pid, SIGTERM);
  deadline = now_ms() + 3000;
  while (now_ms() < deadline) {
    if (waitpid(r->pid, &status, WNOHANG) == r->pid) goto reaped;
    sleep_ms(5);
  }
  kill(r->pid, SIGKILL);
  while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
  }
reaped:
  r->pid = -1;
  unlink(r->log);
  rmdir(r->dir);
}

/* Starts redis-server on `port`, or with port 0 on a free loopback port (a few tries, in case another process takes
 * the port first), with the NULL-terminated `extra` arguments (may be NULL). */
static int redis_start_with(redis_proc *r, const char *binary, const char *password, int port,
                            const char *const *extra) {
  int attempt;
  memset(r, 0, sizeof *r);
  r->pid = -1;
  snprintf(r->dir, sizeof r->dir, "/tmp/sio-c-api-XXXXXX");
  if (mkdtemp(r->dir) == NULL) return 0;
  snprintf(r->log, sizeof r->log, "%s/redis.log", r->dir);
  for (attempt = 0; attempt < 5; ++attempt) {
    char port_text[16];
    const char *args[40];
    int n = 0;
    long long deadline;
    pid_t parent = getpid();
    pid_t child;
    r->port = port > 0 ? port : free_port();
    if (r->port <= 0) continue;
    snprintf(port_text, sizeof port_text, "%d", r->port);
    args[n++] = binary;
    args[n++] = "--port";
    args[n++] = port_text;
    args[n++] = "--bind";
    args[n++] = "127.0.0.1";
    args[n++] = "--save";
    args[n++] = "";
    args[n++] = "--appendonly";
    args[n++] = "no";
    args[n++] = "--daemonize";
    args[n++] = "no";
    args[n++] = "--dir";
    args[n++] = r->dir;
    if (password != NULL) {
      args[n++] = "--requirepass";
      args[n++] = password;
    }
    while (extra != NULL && *extra != NULL && n < 39) args[n++] = *extra++;
    args[n] = NULL;
    child = fork();
    if (child < 0) return 0;
    if (child == 0) {
      /* Only async-signal-safe calls until exec. The server dies with this process, even on a crash. */
      int fd;
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      for (fd = 3; fd < 256; ++fd) close(fd); /* no inherited client sockets */
      fd = open("/dev/null", O_RDONLY);
      if (fd >= 0) dup2(fd, STDIN_FILENO);
      fd = open(r->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
      }
      execv(binary, (char *const *)args);
      _exit(127);
    }
    r->pid = child;
    deadline = now_ms() + 5000;
    while (now_ms() < deadline) {
      int status;
      if (waitpid(child, &status, WNOHANG) == child) {
        r->pid = -1;
        break; /* exited: most likely lost the port; try another */
      }
      if (answers_ping(r->port)) {
        snprintf(r->url, sizeof r->url, "redis://127.0.0.1:%d", r->port);
        return 1;
      }
      sleep_ms(10);
    }
    redis_stop(r);
  }
  rmdir(r->dir);
  return 0;
}

static int redis_start(redis_proc *r, const char *binary, const char *password, int port) {
  return redis_start_with(r, binary, password, port, NULL);
}

/* ---- A raw subscriber on every channel ------------------------------------------------------------------------- */

typedef struct message {
  char channel[256];
  unsigned char payload[4096];
  size_t size;
  char hex[8193];
} message;

static redisContext *subscribe_all(int port) {
  redisContext *c = connect_port(port, 2000);
  redisReply *r;
  if (c == NULL) return NULL;
  r = redisCommand(c, "PSUBSCRIBE *");
  if (r == NULL) {
    redisFree(c);
    return NULL;
  }
  freeReplyObject(r);
  return c;
}

/* The next message the subscriber got, waiting at most 2 s (the context's timeout). */
static int next_message(redisContext *sub, message *out) {
  redisReply *r = NULL;
  size_t i;
  int ok = 0;
  memset(out, 0, sizeof *out);
  if (redisGetReply(sub, (void **)&r) != REDIS_OK || r == NULL) return 0;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 4 && r->element[2]->len < sizeof out->channel &&
      r->element[3]->len <= sizeof out->payload) {
    memcpy(out->channel, r->element[2]->str, r->element[2]->len);
    memcpy(out->payload, r->element[3]->str, r->element[3]->len);
    out->size = r->element[3]->len;
    for (i = 0; i < out->size; ++i) snprintf(out->hex + 2 * i, 3, "%02x", out->payload[i]);
    ok = 1;
  }
  freeReplyObject(r);
  return ok;
}

static redisContext *publisher;

/* Proves that nothing was published since the last message read: a marker published now is the next one seen. */
#define CHECK_NOTHING_PUBLISHED(sub) check_nothing_published((sub), __FILE__, __LINE__)
static void check_nothing_published(redisContext *sub, const char *file, int line) {
  message m;
  redisReply *r = redisCommand(publisher, "PUBLISH marker m");
  if (r != NULL) freeReplyObject(r);
  check_record(next_message(sub, &m) && strcmp(m.channel, "marker") == 0, file, line,
               "nothing published before the marker", m.channel);
}

#define CHECK_MESSAGE_HEX(sub, want_channel, want_hex)                             \
  do {                                                                             \
    message m_;                                                                    \
    CHECK(next_message((sub), &m_));                                               \
    CHECK_STR_EQ(m_.channel, want_channel);                                        \
    CHECK_STR_EQ(m_.hex, want_hex);                                                \
  } while (0)

#define CHECK_MESSAGE_TEXT(sub, want_channel, want_text)                           \
  do {                                                                             \
    message m_;                                                                    \
    CHECK(next_message((sub), &m_));                                               \
    CHECK_STR_EQ(m_.channel, want_channel);                                        \
    CHECK_STR_EQ((const char *)m_.payload, want_text);                             \
  } while (0)

/* ---- Error helpers --------------------------------------------------------------------------------------------- */

static sio_error err;

/* Fills err with junk, so the checks below see what the call wrote. */
static void reset_err(void) {
  err.status = (sio_status)77;
  memset(err.message, 'x', sizeof err.message - 1);
  err.message[sizeof err.message - 1] = '\0';
}

/* `call` passes &err; it must fail with `status` and a message containing `needle`. */
#define CHECK_FAILS(call, want_status, needle) \
  do {                                         \
    reset_err();                               \
    CHECK_STATUS(call, want_status);           \
    CHECK_INT_EQ(err.status, want_status);     \
    CHECK_STR_CONTAINS(err.message, needle);   \
  } while (0)

/* `call` passes &err; it must succeed and clear err. */
#define CHECK_OK(call)                  \
  do {                                  \
    reset_err();                        \
    CHECK_STATUS(call, SIO_OK);         \
    CHECK_INT_EQ(err.status, SIO_OK);   \
    CHECK_STR_EQ(err.message, "");      \
  } while (0)

static sio_options quick_options(void) {
  sio_options o;
  sio_options_init(&o);
  o.connect_timeout_ms = 2000;
  o.command_timeout_ms = 2000;
  return o;
}

static sio_emitter *new_emitter(const char *url, const sio_options *options) {
  sio_emitter *em = NULL;
  CHECK_OK(sio_emitter_new(url, options, &em, &err));
  REQUIRE(em != NULL);
  return em;
}

/* ---- Tests without Redis --------------------------------------------------------------------------------------- */

static void test_strerror_and_version(void) {
  static const sio_status all[] = {SIO_OK,         SIO_E_INVALID_ARGUMENT, SIO_E_INVALID_JSON, SIO_E_INVALID_UTF8,
                                   SIO_E_RESERVED_EVENT, SIO_E_INVALID_URL, SIO_E_CONNECTION,  SIO_E_AUTH,
                                   SIO_E_TIMEOUT,  SIO_E_REPLY,            SIO_E_PROTOCOL,     SIO_E_NO_MEMORY,
                                   SIO_E_INTERNAL};
  size_t i, j;
  char want[32];
  for (i = 0; i < sizeof all / sizeof all[0]; ++i) {
    const char *text = sio_strerror(all[i]);
    CHECK(text != NULL && text[0] != '\0');
    CHECK(text != NULL && strcmp(text, "unknown status") != 0);
    for (j = 0; j < i; ++j) CHECK(text != NULL && strcmp(text, sio_strerror(all[j])) != 0); /* distinct */
  }
  CHECK_STR_EQ(sio_strerror(SIO_OK), "no error");
  CHECK_STR_EQ(sio_strerror(SIO_E_INVALID_JSON), "invalid JSON");
  CHECK_STR_EQ(sio_strerror(SIO_E_CONNECTION), "Redis unreachable");
  CHECK_STR_EQ(sio_strerror(SIO_E_NO_MEMORY), "out of memory");
  CHECK_STR_EQ(sio_strerror(SIO_E_INTERNAL), "internal error");
  CHECK_STR_EQ(sio_strerror((sio_status)6), "unknown status");
  CHECK_STR_EQ(sio_strerror((sio_status)99), "unknown status");
  CHECK_STR_EQ(sio_strerror((sio_status)-1), "unknown status");

  snprintf(want, sizeof want, "%d.%d.%d", SIO_C_VERSION_MAJOR, SIO_C_VERSION_MINOR, SIO_C_VERSION_PATCH);
  CHECK_STR_EQ(sio_version(), want);
  CHECK_INT_EQ(sio_version_number(), SIO_C_VERSION_NUMBER);
  CHECK_INT_EQ(SIO_C_VERSION_NUMBER, SIO_C_VERSION_MAJOR * 10000 + SIO_C_VERSION_MINOR * 100 + SIO_C_VERSION_PATCH);
}

static void test_options_and_emitter_new(void) {
  sio_options o;
  sio_emitter *em = (sio_emitter *)&o; /* a non-NULL sentinel that a failure must overwrite */
  char long_url[2048];

  memset(&o, 0x5a, sizeof o);
  sio_options_init(&o);
  CHECK(o.key == NULL);
  CHECK_INT_EQ(o.connect_timeout_ms, 5000);
  CHECK_INT_EQ(o.command_timeout_ms, 5000);
  CHECK(o.username == NULL);
  CHECK(o.password == NULL);
  CHECK_INT_EQ(o.dry_run, 0);
  CHECK_INT_EQ(o.request_timeout_ms, 5000);
  CHECK_INT_EQ(o.max_buffered_messages, 100000);
  CHECK_INT_EQ(o.max_buffered_bytes, 64 << 20);
  CHECK_INT_EQ(o.overflow, SIO_OVERFLOW_FAIL_NEW);
  CHECK_INT_EQ(o.reconnect_delay_ms, 100);
  CHECK_INT_EQ(o.max_reconnect_delay_ms, 5000);
  CHECK_INT_EQ(o.mode, SIO_MODE_CLASSIC);
  CHECK_INT_EQ(o.subscription_mode, SIO_SUBSCRIPTION_DYNAMIC);
  CHECK(o.stream_name == NULL);
  CHECK_INT_EQ(o.stream_count, 1);
  CHECK_INT_EQ(o.stream_max_len, 10000);
  sio_options_init(NULL); /* accepted, does nothing */

  CHECK_FAILS(sio_emitter_new("redis://127.0.0.1:6379", NULL, NULL, &err), SIO_E_INVALID_ARGUMENT, "out is NULL");
  CHECK_STR_EQ(err.message, "out is NULL");
  CHECK_STATUS(sio_emitter_new("redis://127.0.0.1:6379", NULL, NULL, NULL), SIO_E_INVALID_ARGUMENT);

  CHECK_FAILS(sio_emitter_new("http://127.0.0.1", NULL, &em, &err), SIO_E_INVALID_URL, "unsupported scheme");
  CHECK(em == NULL);
  em = (sio_emitter *)&o;
  CHECK_STATUS(sio_emitter_new("redis://127.0.0.1:99999", NULL, &em, NULL), SIO_E_INVALID_URL);
  CHECK(em == NULL);

  /* An error message longer than the buffer is cut and still NUL-terminated. */
  memset(long_url, 'x', sizeof long_url);
  memcpy(long_url, "ftp://", 6);
  long_url[sizeof long_url - 1] = '\0';
  CHECK_FAILS(sio_emitter_new(long_url, NULL, &em, &err), SIO_E_INVALID_URL, "invalid Redis URL");
  CHECK_INT_EQ(strlen(err.message), SIO_ERROR_MESSAGE_SIZE - 1);
  CHECK(em == NULL);

  o.key = "";
  CHECK_FAILS(sio_emitter_new(NULL, &o, &em, &err), SIO_E_INVALID_ARGUMENT, "key");
  CHECK(em == NULL);
  o.key = "\xff";
  CHECK_FAILS(sio_emitter_new(NULL, &o, &em, &err), SIO_E_INVALID_UTF8, "key");

  /* NULL URL and NULL options are the defaults; creating does not connect. */
  CHECK_OK(sio_emitter_new(NULL, NULL, &em, &err));
  CHECK(em != NULL);
  sio_emitter_free(em);
  sio_emitter_free(NULL);

  /* Timeouts <= 0 mean the default, not "no timeout" or an error. */
  sio_options_init(&o);
  o.connect_timeout_ms = 0;
  o.command_timeout_ms = -5;
  em = NULL;
  CHECK_OK(sio_emitter_new("redis://127.0.0.1:6379", &o, &em, &err));
  sio_emitter_free(em);
}

static void test_null_arguments(void) {
  sio_emitter *em;
  sio_target *t = sio_target_new();
  sio_options o;
  const char *rooms_with_null[] = {"a", NULL};
  sio_arg arg_null_data = {SIO_ARG_BINARY, NULL, 3};
  sio_arg arg_bad_kind = {(sio_arg_kind)7, "1", 1};
  long long receivers = 12345;

  sio_options_init(&o);
  o.dry_run = 1;
  em = new_emitter(NULL, &o);
  REQUIRE(t != NULL);

  CHECK_FAILS(sio_emitter_connect(NULL, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");
  CHECK_FAILS(sio_emitter_flush(NULL, 0, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");

  CHECK_FAILS(sio_target_set_nsp(NULL, "/a", &err), SIO_E_INVALID_ARGUMENT, "target is NULL");
  CHECK_FAILS(sio_target_set_nsp(t, NULL, &err), SIO_E_INVALID_ARGUMENT, "nsp is NULL");
  CHECK_FAILS(sio_target_to(NULL, "a", &err), SIO_E_INVALID_ARGUMENT, "target is NULL");
  CHECK_FAILS(sio_target_to(t, NULL, &err), SIO_E_INVALID_ARGUMENT, "room is NULL");
  CHECK_FAILS(sio_target_except(NULL, "a", &err), SIO_E_INVALID_ARGUMENT, "target is NULL");
  CHECK_FAILS(sio_target_except(t, NULL, &err), SIO_E_INVALID_ARGUMENT, "room is NULL");
  CHECK_FAILS(sio_target_set_volatile(NULL, &err), SIO_E_INVALID_ARGUMENT, "target is NULL");
  CHECK_FAILS(sio_target_set_compress(NULL, 1, &err), SIO_E_INVALID_ARGUMENT, "target is NULL");
  CHECK(sio_target_clone(NULL) == NULL);
  sio_target_free(NULL);

  CHECK_FAILS(sio_emit_json(NULL, t, "e", "[]", &receivers, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");
  CHECK_FAILS(sio_emit_json(em, t, NULL, "[]", &receivers, &err), SIO_E_INVALID_ARGUMENT, "event is NULL");
  CHECK_STR_EQ(err.message, "event is NULL");
  CHECK_FAILS(sio_emit(NULL, t, "e", NULL, 0, &receivers, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");
  CHECK_FAILS(sio_emit(em, t, NULL, NULL, 0, &receivers, &err), SIO_E_INVALID_ARGUMENT, "event is NULL");
  CHECK_FAILS(sio_emit(em, t, "e", NULL, 2, &receivers, &err), SIO_E_INVALID_ARGUMENT, "args is NULL");
  CHECK_FAILS(sio_emit(em, t, "e", &arg_null_data, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "args[0].data is NULL");
  CHECK_FAILS(sio_emit(em, t, "e", &arg_bad_kind, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT, "args[0].kind");
  CHECK_FAILS(sio_sockets_join(NULL, t, rooms_with_null, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "emitter is NULL");
  CHECK_FAILS(sio_sockets_join(em, t, NULL, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT, "rooms is NULL");
  CHECK_FAILS(sio_sockets_join(em, t, rooms_with_null, 2, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "rooms[1] is NULL");
  CHECK_FAILS(sio_sockets_join(em, t, NULL, 0, &receivers, &err), SIO_E_INVALID_ARGUMENT, "no room");
  CHECK_FAILS(sio_sockets_leave(NULL, t, rooms_with_null, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "emitter is NULL");
  CHECK_FAILS(sio_sockets_leave(em, t, NULL, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT, "rooms is NULL");
  CHECK_FAILS(sio_sockets_leave(em, t, rooms_with_null, 2, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "rooms[1] is NULL");
  CHECK_FAILS(sio_disconnect_sockets(NULL, t, 0, &receivers, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");
  CHECK_FAILS(sio_server_side_emit_json(NULL, "/", "e", "[]", &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "emitter is NULL");
  CHECK_FAILS(sio_server_side_emit_json(em, "/", NULL, "[]", &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "event is NULL");
  CHECK_FAILS(sio_server_side_emit(em, "/", "e", NULL, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT, "args is NULL");
  CHECK_FAILS(sio_server_side_emit(em, "/", NULL, NULL, 0, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "event is NULL");
  CHECK_FAILS(sio_server_side_emit(em, "/", "e", &arg_bad_kind, 1, &receivers, &err), SIO_E_INVALID_ARGUMENT,
              "args[0].kind");
  CHECK_INT_EQ(receivers, 12345); /* untouched by failures */

  /* Requests: NULL arguments, and every result zeroed (NULL) on failure. */
  {
    sio_delivery delivery;
    sio_replies replies;
    char *json = (char *)&delivery; /* a non-NULL sentinel that a failure must overwrite */
    size_t count = 7;
    long long servers = 7;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_FAILS(sio_emit_confirmed_json(NULL, t, "e", "[]", 0, 0, &delivery, &json, &err), SIO_E_INVALID_ARGUMENT,
                "emitter is NULL");
    CHECK(json == NULL);
    CHECK(delivery.replies.servers == 0 && delivery.replies.answered == 0 && delivery.replies.timed_out == 0);
    CHECK(delivery.clients == 0 && delivery.acks == 0);
    json = (char *)&delivery;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_FAILS(sio_emit_confirmed_json(em, t, NULL, "[]", 0, 1, &delivery, &json, &err), SIO_E_INVALID_ARGUMENT,
                "event is NULL");
    CHECK_STR_EQ(err.message, "event is NULL");
    CHECK(json == NULL);
    CHECK(delivery.replies.servers == 0 && delivery.clients == 0 && delivery.acks == 0);
    /* The sio_arg forms: the same checks, the same zeroed results. */
    json = (char *)&delivery;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_FAILS(sio_emit_confirmed(em, t, "e", NULL, 1, 0, 0, &delivery, &json, &err), SIO_E_INVALID_ARGUMENT,
                "args is NULL");
    CHECK(json == NULL);
    CHECK(delivery.replies.servers == 0 && delivery.clients == 0 && delivery.acks == 0);
    CHECK_FAILS(sio_emit_confirmed(em, t, "e", &arg_null_data, 1, 0, 0, &delivery, &json, &err),
                SIO_E_INVALID_ARGUMENT, "args[0].data is NULL");
    CHECK_FAILS(sio_emit_confirmed(NULL, t, "e", NULL, 0, 0, 0, &delivery, &json, &err), SIO_E_INVALID_ARGUMENT,
                "emitter is NULL");

    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_fetch_sockets_json(NULL, t, 0, &replies, &json, &count, &err), SIO_E_INVALID_ARGUMENT,
                "emitter is NULL");
    CHECK(json == NULL);
    CHECK_INT_EQ(count, 0);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);

    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_server_side_emit_with_ack_json(NULL, NULL, "e", NULL, 0, &replies, &json, &err),
                SIO_E_INVALID_ARGUMENT, "emitter is NULL");
    CHECK(json == NULL);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_server_side_emit_with_ack_json(em, NULL, NULL, NULL, 0, &replies, &json, &err),
                SIO_E_INVALID_ARGUMENT, "event is NULL");
    CHECK(json == NULL);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_server_side_emit_with_ack(em, NULL, "e", NULL, 2, 0, &replies, &json, &err),
                SIO_E_INVALID_ARGUMENT, "args is NULL");
    CHECK(json == NULL);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);

    CHECK_FAILS(sio_server_count(NULL, NULL, &servers, &err), SIO_E_INVALID_ARGUMENT, "emitter is NULL");
    CHECK_INT_EQ(servers, 0);
    servers = 7;
    CHECK_FAILS(sio_server_count(em, "/\xff", &servers, &err), SIO_E_INVALID_UTF8, "namespace");
    CHECK_INT_EQ(servers, 0);

    /* err and every result pointer may be NULL. */
    CHECK_STATUS(sio_emit_confirmed_json(NULL, t, "e", NULL, 0, 0, NULL, NULL, NULL), SIO_E_INVALID_ARGUMENT);
    CHECK_STATUS(sio_fetch_sockets_json(NULL, t, 0, NULL, NULL, NULL, NULL), SIO_E_INVALID_ARGUMENT);
    CHECK_STATUS(sio_server_side_emit_with_ack_json(em, NULL, "connect", NULL, 0, NULL, NULL, NULL),
                 SIO_E_RESERVED_EVENT);
    CHECK_STATUS(sio_server_count(NULL, NULL, NULL, NULL), SIO_E_INVALID_ARGUMENT);
    CHECK_STATUS(sio_emit_confirmed_json(em, t, "e", NULL, 0, 1, NULL, NULL, NULL), SIO_OK);
    CHECK_STATUS(sio_fetch_sockets_json(em, t, 0, NULL, NULL, NULL, NULL), SIO_OK);
    CHECK_STATUS(sio_server_side_emit_with_ack_json(em, NULL, "e", NULL, 0, NULL, NULL, NULL), SIO_OK);
    CHECK_STATUS(sio_server_count(em, NULL, NULL, NULL), SIO_OK);
    sio_free(NULL);
  }

  /* A C++ exception that is no sio::error becomes SIO_E_INTERNAL: a size larger than any std::vector may hold
   * (std::length_error, thrown before a byte is read or allocated). SIO_E_NO_MEMORY is not provoked here:
   * valgrind cannot make operator new throw, and ASan aborts on such requests. */
  {
    static const char one_byte[1] = {0};
    sio_arg impossible = {SIO_ARG_BINARY, one_byte, (size_t)-1};
    CHECK_FAILS(sio_emit(em, t, "e", &impossible, 1, &receivers, &err), SIO_E_INTERNAL, "");
    CHECK(err.message[0] != '\0');
  }

  /* err == NULL is accepted everywhere, failing or not. */
  CHECK_STATUS(sio_emitter_connect(NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_emitter_flush(NULL, 0, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_target_set_nsp(NULL, "a", NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_target_to(t, NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_target_except(t, "", NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_target_set_volatile(NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_target_set_compress(NULL, 0, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_emit_json(em, t, "e", "[", NULL, NULL), SIO_E_INVALID_JSON);
  CHECK_STATUS(sio_emit(em, t, NULL, NULL, 0, NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_sockets_join(em, t, NULL, 0, NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_sockets_leave(em, t, rooms_with_null, 2, NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_disconnect_sockets(NULL, t, 1, NULL, NULL), SIO_E_INVALID_ARGUMENT);
  CHECK_STATUS(sio_server_side_emit_json(em, NULL, "connection", NULL, NULL, NULL), SIO_E_RESERVED_EVENT);
  CHECK_STATUS(sio_emitter_connect(em, NULL), SIO_OK);
  CHECK_STATUS(sio_emitter_flush(em, 100, NULL), SIO_OK);
  CHECK_STATUS(sio_target_set_nsp(t, "/", NULL), SIO_OK);
  CHECK_STATUS(sio_target_to(t, "r", NULL), SIO_OK);
  CHECK_STATUS(sio_target_except(t, "x", NULL), SIO_OK);
  CHECK_STATUS(sio_target_set_volatile(t, NULL), SIO_OK);
  CHECK_STATUS(sio_target_set_compress(t, 1, NULL), SIO_OK);
  CHECK_STATUS(sio_emit_json(em, t, "e", NULL, NULL, NULL), SIO_OK);
  CHECK_STATUS(sio_emit(em, t, "e", NULL, 0, NULL, NULL), SIO_OK);
  CHECK_STATUS(sio_sockets_join(em, t, rooms_with_null, 1, NULL, NULL), SIO_OK);
  CHECK_STATUS(sio_sockets_leave(em, t, rooms_with_null, 1, NULL, NULL), SIO_OK);
  CHECK_STATUS(sio_disconnect_sockets(em, t, 1, NULL, NULL), SIO_OK);
  CHECK_STATUS(sio_server_side_emit_json(em, NULL, "e", NULL, NULL, NULL), SIO_OK);

  sio_target_free(t);
  sio_emitter_free(em);
}

/* Bad data is refused with the right status. On a live emitter (sub not NULL), nothing reaches Redis either. */
static void test_bad_data(sio_emitter *em, redisContext *sub) {
  sio_target *t = sio_target_new();
  const char *bad_utf8_rooms[] = {"ok", "\xc3\x28"};
  const char *empty_rooms[] = {""};
  sio_arg bad_string = {SIO_ARG_STRING, "\xff", 1};
  sio_arg bad_json = {SIO_ARG_JSON, "{\"a\":", 5};
  sio_arg two_values = {SIO_ARG_JSON, "1 2", 3};
  sio_arg empty_json = {SIO_ARG_JSON, NULL, 0};
  sio_arg truncated_msgpack = {SIO_ARG_MSGPACK, "\x92\x01", 2};
  sio_arg trailing_msgpack = {SIO_ARG_MSGPACK, "\x01\x02", 2};
  REQUIRE(t != NULL);

  CHECK_FAILS(sio_emit_json(em, NULL, "e", "[1,", NULL, &err), SIO_E_INVALID_JSON, "line 1, column");
  CHECK_FAILS(sio_emit_json(em, NULL, "e", "[1,\n  x]", NULL, &err), SIO_E_INVALID_JSON, "line 2, column 3");
  CHECK_FAILS(sio_emit_json(em, NULL, "e", "{\"a\":1}", NULL, &err), SIO_E_INVALID_JSON, "array");
  CHECK_FAILS(sio_emit_json(em, NULL, "e", "[\"\xff\"]", NULL, &err), SIO_E_INVALID_UTF8, "UTF-8");
  CHECK_FAILS(sio_emit(em, NULL, "e", &bad_json, 1, NULL, &err), SIO_E_INVALID_JSON, "line 1, column");
  CHECK_FAILS(sio_emit(em, NULL, "e", &two_values, 1, NULL, &err), SIO_E_INVALID_JSON, "line 1, column 3");
  CHECK_FAILS(sio_emit(em, NULL, "e", &empty_json, 1, NULL, &err), SIO_E_INVALID_JSON, "line 1, column 1");
  CHECK_FAILS(sio_emit(em, NULL, "e", &bad_string, 1, NULL, &err), SIO_E_INVALID_UTF8, "UTF-8");
  CHECK_FAILS(sio_emit(em, NULL, "e", &truncated_msgpack, 1, NULL, &err), SIO_E_INVALID_ARGUMENT,
              "malformed msgpack: truncated input");
  CHECK_FAILS(sio_emit(em, NULL, "e", &trailing_msgpack, 1, NULL, &err), SIO_E_INVALID_ARGUMENT,
              "1 trailing bytes after msgpack value");
  CHECK_FAILS(sio_server_side_emit_json(em, NULL, "e", "[1", NULL, &err), SIO_E_INVALID_JSON, "line 1, column");

  CHECK_FAILS(sio_emit_json(em, NULL, "\xff", NULL, NULL, &err), SIO_E_INVALID_UTF8, "event name");
  CHECK_FAILS(sio_emit(em, NULL, "\xe2\x82", NULL, 0, NULL, &err), SIO_E_INVALID_UTF8, "event name");
  CHECK_FAILS(sio_target_to(t, "\xc3\x28", &err), SIO_E_INVALID_UTF8, "room");
  CHECK_FAILS(sio_target_except(t, "\xff", &err), SIO_E_INVALID_UTF8, "room");
  CHECK_FAILS(sio_target_set_nsp(t, "/\xff", &err), SIO_E_INVALID_UTF8, "namespace");
  CHECK_FAILS(sio_sockets_join(em, NULL, bad_utf8_rooms, 2, NULL, &err), SIO_E_INVALID_UTF8, "room");
  CHECK_FAILS(sio_sockets_leave(em, NULL, bad_utf8_rooms, 2, NULL, &err), SIO_E_INVALID_UTF8, "room");
  CHECK_FAILS(sio_server_side_emit_json(em, "/\xff", "e", NULL, NULL, &err), SIO_E_INVALID_UTF8, "namespace");

  CHECK_FAILS(sio_emit_json(em, NULL, "", NULL, NULL, &err), SIO_E_INVALID_ARGUMENT, "event name must not be empty");
  CHECK_FAILS(sio_server_side_emit_json(em, NULL, "", NULL, NULL, &err), SIO_E_INVALID_ARGUMENT, "empty");
  CHECK_FAILS(sio_target_to(t, "", &err), SIO_E_INVALID_ARGUMENT, "room name must not be empty");
  CHECK_FAILS(sio_target_except(t, "", &err), SIO_E_INVALID_ARGUMENT, "must not be empty");
  CHECK_FAILS(sio_sockets_join(em, NULL, empty_rooms, 1, NULL, &err), SIO_E_INVALID_ARGUMENT, "must not be empty");

  CHECK_FAILS(sio_emit_json(em, NULL, "disconnect", NULL, NULL, &err), SIO_E_RESERVED_EVENT,
              "\"disconnect\" is a reserved event name");
  CHECK_FAILS(sio_emit(em, NULL, "connect", NULL, 0, NULL, &err), SIO_E_RESERVED_EVENT, "reserved");
  CHECK_FAILS(sio_server_side_emit_json(em, NULL, "connection", "[]", NULL, &err), SIO_E_RESERVED_EVENT,
              "\"connection\" is a reserved event name for serverSideEmit");
  CHECK_FAILS(sio_server_side_emit_json(em, "/admin", "new_namespace", NULL, NULL, &err), SIO_E_RESERVED_EVENT,
              "reserved");

  /* Requests refuse the same input, before counting the servers or publishing. */
  {
    sio_delivery delivery;
    sio_replies replies;
    char *json = (char *)&delivery;
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "e", "[1,", 100, 0, &delivery, &json, &err), SIO_E_INVALID_JSON,
                "line 1, column");
    CHECK(json == NULL);
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "e", "{}", 100, 1, &delivery, NULL, &err), SIO_E_INVALID_JSON,
                "array");
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "e", "[\"\xff\"]", 100, 0, NULL, NULL, &err), SIO_E_INVALID_UTF8,
                "UTF-8");
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "", NULL, 100, 0, &delivery, NULL, &err), SIO_E_INVALID_ARGUMENT,
                "empty");
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "disconnect", NULL, 100, 0, &delivery, NULL, &err),
                SIO_E_RESERVED_EVENT, "reserved");
    CHECK(delivery.replies.servers == 0 && delivery.clients == 0);
    json = (char *)&delivery;
    CHECK_FAILS(sio_server_side_emit_with_ack_json(em, NULL, "e", "[1", 100, &replies, &json, &err),
                SIO_E_INVALID_JSON, "line 1, column");
    CHECK(json == NULL);
    CHECK_FAILS(sio_server_side_emit_with_ack_json(em, NULL, "connection", NULL, 100, &replies, NULL, &err),
                SIO_E_RESERVED_EVENT, "reserved");
    CHECK_FAILS(sio_server_side_emit_with_ack_json(em, "/\xff", "e", NULL, 100, &replies, NULL, &err),
                SIO_E_INVALID_UTF8, "namespace");
    CHECK_FAILS(sio_server_count(em, "/\xff", NULL, &err), SIO_E_INVALID_UTF8, "namespace");
  }

  if (sub != NULL) CHECK_NOTHING_PUBLISHED(sub);

  /* The failed sets left the target as it was: "/", no room. */
  CHECK_OK(sio_emit_json(em, t, "e", "[]", NULL, &err));
  if (sub != NULL) {
    message m;
    CHECK(next_message(sub, &m));
    CHECK_STR_EQ(m.channel, "socket.io#/#");
  }
  sio_target_free(t);
}

static void test_dry_run(const char *url_of_live_redis, redisContext *sub) {
  sio_options o = quick_options();
  sio_emitter *em;
  sio_emitter *unreachable;
  sio_target *t = sio_target_new();
  const char *rooms[] = {"r2"};
  sio_arg arg = {SIO_ARG_BINARY, "\x01", 1};
  long long receivers = 0;
  char url[64];
  REQUIRE(t != NULL);
  CHECK_OK(sio_target_to(t, "r1", &err));
  o.dry_run = 1;

  /* Pointed at a live Redis: validates and encodes, but publishes nothing. */
  em = new_emitter(url_of_live_redis, &o);
  CHECK_OK(sio_emitter_connect(em, &err));
  CHECK_OK(sio_emit_json(em, t, "e", "[1]", &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_emit(em, t, "e", &arg, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_sockets_join(em, t, rooms, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_sockets_leave(em, t, rooms, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_disconnect_sockets(em, t, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_server_side_emit_json(em, NULL, "ping", NULL, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  receivers = 0;
  CHECK_OK(sio_server_side_emit(em, NULL, "ping", &arg, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  /* Requests publish nothing and wait for nobody: no servers, empty results. */
  {
    sio_delivery delivery;
    sio_replies replies;
    char *json = NULL;
    size_t count = 7;
    long long servers = 7;
    long long started = now_ms();
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_OK(sio_emit_confirmed_json(em, t, "e", "[1]", 0, 1, &delivery, &json, &err));
    CHECK(delivery.replies.servers == 0 && delivery.replies.answered == 0 && delivery.replies.timed_out == 0);
    CHECK(delivery.clients == 0 && delivery.acks == 0);
    CHECK_STR_EQ(json, "[]");
    sio_free(json);
    json = NULL;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_OK(sio_fetch_sockets_json(em, t, 0, &replies, &json, &count, &err));
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    CHECK_STR_EQ(json, "[]");
    CHECK_INT_EQ(count, 0);
    sio_free(json);
    json = NULL;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_OK(sio_server_side_emit_with_ack_json(em, NULL, "ping", "[1]", 0, &replies, &json, &err));
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    CHECK_STR_EQ(json, "[]");
    sio_free(json);
    json = NULL;
    CHECK_OK(sio_server_side_emit_with_ack(em, NULL, "ping", &arg, 1, 0, &replies, &json, &err));
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    CHECK_STR_EQ(json, "[]");
    sio_free(json);
    json = NULL;
    CHECK_OK(sio_emit_confirmed(em, t, "e", &arg, 1, 0, 1, &delivery, &json, &err));
    CHECK(delivery.replies.servers == 0 && delivery.clients == 0 && delivery.acks == 0);
    CHECK_STR_EQ(json, "[]");
    sio_free(json);
    CHECK_OK(sio_server_count(em, NULL, &servers, &err));
    CHECK_INT_EQ(servers, 0);
    CHECK(now_ms() - started < 1000); /* nothing waited for the 5 s request timeout */
  }
  CHECK_OK(sio_emitter_flush(em, 0, &err));
  CHECK_NOTHING_PUBLISHED(sub);

  /* Pointed at nothing: still fine, it never connects. */
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", free_port());
  unreachable = new_emitter(url, &o);
  CHECK_OK(sio_emitter_connect(unreachable, &err));
  receivers = 0;
  CHECK_OK(sio_emit_json(unreachable, NULL, "e", NULL, &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  test_bad_data(unreachable, NULL);

  sio_emitter_free(unreachable);
  sio_emitter_free(em);
  sio_target_free(t);
}

/* ---- Tests against a live Redis -------------------------------------------------------------------------------- */

static void test_exact_bytes(sio_emitter *em, redisContext *sub) {
  sio_target *user42 = sio_target_new();
  sio_target *t = sio_target_new();
  sio_arg bin = {SIO_ARG_BINARY, "\x01\x02\x03", 3};
  sio_arg mixed[5];
  long long receivers = 0;
  REQUIRE(user42 != NULL && t != NULL);

  CHECK_OK(sio_target_to(user42, "user:42", &err));
  CHECK_OK(sio_emit_json(em, user42, "notification",
                         "[{\"type\":\"ORDER_UPDATED\",\"payload\":{\"id\":1},\"timestamp\":1700000000000}]",
                         &receivers, &err));
  CHECK_INT_EQ(receivers, 1);
  CHECK_MESSAGE_HEX(sub, "socket.io#/#user:42#",
                    "93a7656d697474657283a47479706502a46461746192ac6e6f74696669636174696f6e83a474797065ad4f524445525f"
                    "55504441544544a77061796c6f616481a2696401a974696d657374616d70cf0000018bcfe56800a36e7370a12f83a5"
                    "726f6f6d7391a7757365723a3432a5666c61677380a665786365707490");

  receivers = 0;
  CHECK_OK(sio_emit(em, NULL, "bin", &bin, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, 1);
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746192a362696ec403010203a36e7370a12f83a5726f6f6d7390a566"
                    "6c61677380a665786365707490");

  /* Every argument kind, including empty ones with NULL data. */
  mixed[0].kind = SIO_ARG_JSON, mixed[0].data = "1", mixed[0].size = 1;
  mixed[1].kind = SIO_ARG_STRING, mixed[1].data = "two", mixed[1].size = 3;
  mixed[2].kind = SIO_ARG_BINARY, mixed[2].data = NULL, mixed[2].size = 0;
  mixed[3].kind = SIO_ARG_STRING, mixed[3].data = NULL, mixed[3].size = 0;
  mixed[4].kind = SIO_ARG_JSON, mixed[4].data = "null", mixed[4].size = 4;
  CHECK_OK(sio_emit(em, NULL, "mixed", mixed, 5, NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746196a56d6978656401a374776fc400a0c0a36e7370a12f83a5726f"
                    "6f6d7390a5666c61677380a665786365707490");

  /* msgpack arguments, read as notepack reads them: a bin inside a map is a Buffer, a float64 holding 2 is the
   * number 2 (written as the integer, as the Node emitter writes a JavaScript 2). */
  mixed[0].kind = SIO_ARG_MSGPACK, mixed[0].data = "\x81\xa1k\xc4\x02\x0a\x0b", mixed[0].size = 7;
  mixed[1].kind = SIO_ARG_MSGPACK, mixed[1].data = "\xcb\x40\x00\x00\x00\x00\x00\x00\x00", mixed[1].size = 9;
  CHECK_OK(sio_emit(em, NULL, "packed", mixed, 2, NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746193a67061636b656481a16bc4020a0b02a36e7370a12f83a572"
                    "6f6f6d7390a5666c61677380a665786365707490");

  /* No arguments: NULL and "[]" JSON, and count 0. */
  CHECK_OK(sio_emit_json(em, NULL, "noargs", NULL, NULL, &err));
  CHECK_OK(sio_emit_json(em, NULL, "noargs", " [ ] ", NULL, &err));
  CHECK_OK(sio_emit(em, NULL, "noargs", NULL, 0, NULL, &err));
  {
    int i;
    for (i = 0; i < 3; ++i)
      CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                        "93a7656d697474657283a47479706502a46461746191a66e6f61726773a36e7370a12f83a5726f6f6d7390a566"
                        "6c61677380a665786365707490");
  }

  /* Namespace (normalised), a room added twice, an except room. */
  CHECK_OK(sio_target_set_nsp(t, "admin", &err));
  CHECK_OK(sio_target_to(t, "r1", &err));
  CHECK_OK(sio_target_to(t, "r1", &err));
  CHECK_OK(sio_target_except(t, "x", &err));
  CHECK_OK(sio_target_except(t, "x", &err));
  CHECK_OK(sio_emit_json(em, t, "tick", "[1]", NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/admin#r1#",
                    "93a7656d697474657283a47479706502a46461746192a47469636b01a36e7370a62f61646d696e83a5726f6f6d7391"
                    "a27231a5666c61677380a665786365707491a178");

  sio_target_free(t);
  sio_target_free(user42);
}

static void test_flags_order(sio_emitter *em, redisContext *sub) {
  sio_target *a = sio_target_new();
  sio_target *b = sio_target_new();
  REQUIRE(a != NULL && b != NULL);
  /* compress first; setting it again changes its value, not its place. */
  CHECK_OK(sio_target_set_compress(a, 0, &err));
  CHECK_OK(sio_target_set_volatile(a, &err));
  CHECK_OK(sio_target_set_compress(a, 1, &err));
  CHECK_OK(sio_emit_json(em, a, "tick", "[1]", NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746192a47469636b01a36e7370a12f83a5726f6f6d7390a5666c6167"
                    "7382a8636f6d7072657373c3a8766f6c6174696c65c3a665786365707490");
  CHECK_OK(sio_target_set_volatile(b, &err));
  CHECK_OK(sio_target_set_compress(b, 0, &err));
  CHECK_OK(sio_emit_json(em, b, "tick", "[1]", NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746192a47469636b01a36e7370a12f83a5726f6f6d7390a5666c6167"
                    "7382a8766f6c6174696c65c3a8636f6d7072657373c2a665786365707490");
  sio_target_free(a);
  sio_target_free(b);
}

static void test_clone_independence(sio_emitter *em, redisContext *sub) {
  static const char *only_a =
      "93a7656d697474657283a47479706502a46461746191a163a36e7370a12f83a5726f6f6d7391a161a5666c61677380a6657863657074"
      "90";
  sio_target *original = sio_target_new();
  sio_target *copy;
  REQUIRE(original != NULL);
  CHECK_OK(sio_target_to(original, "a", &err));
  copy = sio_target_clone(original);
  REQUIRE(copy != NULL);
  CHECK_OK(sio_target_to(copy, "b", &err));
  CHECK_OK(sio_target_set_volatile(copy, &err));

  CHECK_OK(sio_emit_json(em, original, "c", NULL, NULL, &err)); /* the copy's changes did not reach it */
  CHECK_MESSAGE_HEX(sub, "socket.io#/#a#", only_a);
  CHECK_OK(sio_emit_json(em, copy, "c", NULL, NULL, &err)); /* two rooms: the channel has no room */
  CHECK_MESSAGE_HEX(sub, "socket.io#/#",
                    "93a7656d697474657283a47479706502a46461746191a163a36e7370a12f83a5726f6f6d7392a161a162a5666c6167"
                    "7381a8766f6c6174696c65c3a665786365707490");

  /* And the other way round: the original's later changes do not reach the copy, nor survive its release. */
  sio_target_free(copy);
  copy = sio_target_clone(original);
  REQUIRE(copy != NULL);
  CHECK_OK(sio_target_set_nsp(original, "/other", &err));
  CHECK_OK(sio_emit_json(em, copy, "c", NULL, NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#a#", only_a);
  sio_target_free(original);
  CHECK_OK(sio_emit_json(em, copy, "c", NULL, NULL, &err));
  CHECK_MESSAGE_HEX(sub, "socket.io#/#a#", only_a);
  sio_target_free(copy);
}

static void test_requests(sio_emitter *em, redisContext *sub) {
  sio_target *in_room1 = sio_target_new();
  sio_target *in_room1_except_x;
  sio_target *admin_room1;
  const char *room2[] = {"room2"};
  const char *a_b[] = {"a", "b"};
  long long receivers = 0;
  REQUIRE(in_room1 != NULL);
  CHECK_OK(sio_target_to(in_room1, "room1", &err));
  in_room1_except_x = sio_target_clone(in_room1);
  admin_room1 = sio_target_clone(in_room1);
  REQUIRE(in_room1_except_x != NULL && admin_room1 != NULL);
  CHECK_OK(sio_target_except(in_room1_except_x, "x", &err));
  CHECK_OK(sio_target_set_nsp(admin_room1, "/admin", &err));

  CHECK_OK(sio_sockets_join(em, NULL, room2, 1, &receivers, &err));
  CHECK_INT_EQ(receivers, 1);
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/#", "{\"type\":2,\"opts\":{\"rooms\":[],\"except\":[]},\"rooms\":[\"room2\"]}");
  CHECK_OK(sio_sockets_join(em, in_room1_except_x, a_b, 2, NULL, &err));
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/#",
                     "{\"type\":2,\"opts\":{\"rooms\":[\"room1\"],\"except\":[\"x\"]},\"rooms\":[\"a\",\"b\"]}");
  CHECK_OK(sio_sockets_leave(em, in_room1, room2, 1, NULL, &err));
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/#",
                     "{\"type\":3,\"opts\":{\"rooms\":[\"room1\"],\"except\":[]},\"rooms\":[\"room2\"]}");
  CHECK_OK(sio_disconnect_sockets(em, admin_room1, 1, NULL, &err));
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/admin#",
                     "{\"type\":4,\"opts\":{\"rooms\":[\"room1\"],\"except\":[]},\"close\":true}");
  receivers = 0;
  CHECK_OK(sio_disconnect_sockets(em, NULL, 0, &receivers, &err));
  CHECK_INT_EQ(receivers, 1);
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/#", "{\"type\":4,\"opts\":{\"rooms\":[],\"except\":[]},\"close\":false}");
  receivers = 0;
  CHECK_OK(sio_server_side_emit_json(em, NULL, "ping", "[{\"a\":1},2]", &receivers, &err));
  CHECK_INT_EQ(receivers, 1);
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/#", "{\"uid\":\"emitter\",\"type\":6,\"data\":[\"ping\",{\"a\":1},2]}");
  CHECK_OK(sio_server_side_emit_json(em, "admin", "ping", NULL, NULL, &err));
  CHECK_MESSAGE_TEXT(sub, "socket.io-request#/admin#", "{\"uid\":\"emitter\",\"type\":6,\"data\":[\"ping\"]}");

  sio_target_free(admin_room1);
  sio_target_free(in_room1_except_x);
  sio_target_free(in_room1);
}

static void test_key_option(const char *url, redisContext *sub) {
  sio_options o = quick_options();
  sio_emitter *em;
  sio_target *t = sio_target_new();
  const char *rooms[] = {"r2"};
  REQUIRE(t != NULL);
  o.key = "myapp";
  em = new_emitter(url, &o);
  CHECK_OK(sio_target_to(t, "r1", &err));
  CHECK_OK(sio_emit_json(em, t, "e", NULL, NULL, &err));
  {
    message m;
    CHECK(next_message(sub, &m));
    CHECK_STR_EQ(m.channel, "myapp#/#r1#");
  }
  CHECK_OK(sio_sockets_join(em, t, rooms, 1, NULL, &err));
  {
    message m;
    CHECK(next_message(sub, &m));
    CHECK_STR_EQ(m.channel, "myapp-request#/#");
  }
  sio_emitter_free(em);
  sio_target_free(t);
}

/* ---- Requests: a raw subscriber of the request channel plays a Socket.IO server ----------------------------------
 * Subscribed to socket.io-request#/#, a plain hiredis connection counts as a server (PUBSUB NUMSUB). Silent, it makes
 * every request time out; answering (a thread publishing on socket.io-response#/#), it lets one complete. */

#define REQUEST_CHANNEL "socket.io-request#/#"
#define RESPONSE_CHANNEL "socket.io-response#/#"

/* The next ["message", channel, payload] a SUBSCRIBE connection got, waiting at most 2 s. */
static int next_subscribed(redisContext *c, message *out) {
  redisReply *r = NULL;
  int ok = 0;
  memset(out, 0, sizeof *out);
  if (redisGetReply(c, (void **)&r) != REDIS_OK || r == NULL) return 0;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[1]->len < sizeof out->channel &&
      r->element[2]->len < sizeof out->payload) { /* < : the payload stays NUL-terminated */
    memcpy(out->channel, r->element[1]->str, r->element[1]->len);
    memcpy(out->payload, r->element[2]->str, r->element[2]->len);
    out->size = r->element[2]->len;
    ok = 1;
  }
  freeReplyObject(r);
  return ok;
}

static redisContext *subscribe_requests(int port) {
  redisContext *c = connect_port(port, 2000);
  redisReply *r;
  if (c == NULL) return NULL;
  r = redisCommand(c, "SUBSCRIBE %s", REQUEST_CHANNEL);
  if (r == NULL) {
    redisFree(c);
    return NULL;
  }
  freeReplyObject(r);
  return c;
}

/* Reads the PSUBSCRIBE * subscriber up to a marker published now: how many messages it got on `channel` (and
 * that it got nothing else). */
static int count_until_marker(redisContext *sub, const char *channel) {
  message m;
  int count = 0;
  redisReply *r = redisCommand(publisher, "PUBLISH marker m");
  if (r != NULL) freeReplyObject(r);
  while (next_message(sub, &m) && strcmp(m.channel, "marker") != 0) {
    if (strcmp(m.channel, channel) == 0)
      ++count;
    else
      CHECK_STR_EQ(m.channel, channel);
  }
  return count;
}

static int starts_with(const char *text, const char *prefix) { return strncmp(text, prefix, strlen(prefix)) == 0; }

static int ends_with(const char *text, const char *suffix) {
  size_t n = strlen(text), k = strlen(suffix);
  return n >= k && strcmp(text + n - k, suffix) == 0;
}

/* The requestId of a request: JSON ("requestId":"...") or msgpack (a9 "requestId" then a str). 0 if none. */
static int request_id_of(const message *m, char *id, size_t size) {
  static const char json_key[] = "\"requestId\":\"";
  static const char msgpack_key[] = "\xa9requestId";
  const char *start;
  size_t len;
  if (m->size > 0 && m->payload[0] == '{') {
    const char *end;
    start = strstr((const char *)m->payload, json_key);
    if (start == NULL) return 0;
    start += sizeof json_key - 1;
    end = strchr(start, '"');
    if (end == NULL) return 0;
    len = (size_t)(end - start);
  } else {
    const unsigned char *p = NULL;
    size_t i;
    for (i = 0; i + sizeof msgpack_key <= m->size; ++i) {
      if (memcmp(m->payload + i, msgpack_key, sizeof msgpack_key - 1) == 0) {
        p = m->payload + i + sizeof msgpack_key - 1;
        break;
      }
    }
    if (p == NULL) return 0;
    if ((*p & 0xe0) == 0xa0) {
      len = *p & 0x1f;
      start = (const char *)p + 1;
    } else if (*p == 0xd9) {
      len = p[1];
      start = (const char *)p + 2;
    } else {
      return 0;
    }
    if ((const unsigned char *)start + len > m->payload + m->size) return 0;
  }
  if (len == 0 || len >= size) return 0;
  memcpy(id, start, len);
  id[len] = '\0';
  return 1;
}

typedef struct responder {
  redisContext *requests; /* subscribed to REQUEST_CHANNEL */
  redisContext *answers;  /* publishes the answers */
  int handled;            /* requests answered */
  int failed;             /* a request it could not read or answer */
  unsigned char first_byte[3];
} responder;

static void answer(responder *r, const char *json) {
  redisReply *reply = redisCommand(r->answers, "PUBLISH %s %s", RESPONSE_CHANNEL, json);
  if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) ++r->failed;
  if (reply != NULL) freeReplyObject(reply);
}

/* Answers three requests, as one Socket.IO server would: a broadcast with ack written to two sockets that both
 * acknowledge (type 7 -> 8, 9, 9), a fetchSockets (5) and a serverSideEmitWithAck (6). */
static void *respond_3(void *arg) {
  responder *r = (responder *)arg;
  int i;
  for (i = 0; i < 3; ++i) {
    message m;
    char id[128];
    char json[1024];
    if (!next_subscribed(r->requests, &m) || !request_id_of(&m, id, sizeof id)) {
      ++r->failed;
      return NULL;
    }
    r->first_byte[i] = m.payload[0];
    if (m.payload[0] != '{') { /* msgpack: the broadcast with ack */
      snprintf(json, sizeof json, "{\"type\":8,\"requestId\":\"%s\",\"clientCount\":2}", id);
      answer(r, json);
      snprintf(json, sizeof json, "{\"type\":9,\"requestId\":\"%s\",\"packet\":{\"ok\":1}}", id);
      answer(r, json);
      snprintf(json, sizeof json, "{\"type\":9,\"requestId\":\"%s\"}", id); /* ack() without a value */
      answer(r, json);
    } else if (strstr((const char *)m.payload, "\"type\":5") != NULL) {
      snprintf(json, sizeof json,
               "{\"requestId\":\"%s\",\"sockets\":[{\"id\":\"abc\",\"handshake\":{\"address\":\"::1\",\"query\":{}},"
               "\"rooms\":[\"abc\",\"user:42\"],\"data\":{\"n\":1}},{\"id\":\"def\",\"rooms\":[\"def\"]}]}",
               id);
      answer(r, json);
    } else {
      snprintf(json, sizeof json, "{\"type\":6,\"requestId\":\"%s\",\"data\":\"pong\"}", id);
      answer(r, json);
    }
    ++r->handled;
  }
  return NULL;
}

static void test_server_requests(const redis_proc *server, redisContext *sub) {
  sio_options o = quick_options();
  sio_emitter *em;
  sio_target *user42 = sio_target_new();
  redisContext *fake;
  sio_delivery delivery;
  sio_replies replies;
  char *json = NULL;
  size_t count = 7;
  long long servers = 7;
  long long started, elapsed;
  message m;
  REQUIRE(user42 != NULL);
  CHECK_OK(sio_target_to(user42, "user:42", &err));
  em = new_emitter(server->url, &o);

  /* No Socket.IO server: nobody to wait for, the request is still published (the PSUBSCRIBE * sees it). */
  CHECK_OK(sio_server_count(em, NULL, &servers, &err));
  CHECK_INT_EQ(servers, 0);
  started = now_ms();
  memset(&delivery, 0x5a, sizeof delivery);
  CHECK_OK(sio_emit_confirmed_json(em, user42, "notification", "[{\"type\":\"X\"}]", 0, 0, &delivery, &json, &err));
  CHECK_INT_EQ(delivery.replies.servers, 0);
  CHECK_INT_EQ(delivery.replies.answered, 0);
  CHECK_INT_EQ(delivery.replies.timed_out, 0);
  CHECK_INT_EQ(delivery.clients, 0);
  CHECK_INT_EQ(delivery.acks, 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(next_message(sub, &m));
  CHECK_STR_EQ(m.channel, REQUEST_CHANNEL);
  CHECK_INT_EQ(m.payload[0], 0x85); /* msgpack map of 5: uid, requestId, type, packet, opts */
  memset(&replies, 0x5a, sizeof replies);
  CHECK_OK(sio_fetch_sockets_json(em, user42, 0, &replies, &json, &count, &err));
  CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
  CHECK_INT_EQ(count, 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  memset(&replies, 0x5a, sizeof replies);
  CHECK_OK(sio_server_side_emit_with_ack_json(em, NULL, "ping", NULL, 0, &replies, &json, &err));
  CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(now_ms() - started < 1500); /* no 5 s default wait */
  CHECK_INT_EQ(count_until_marker(sub, REQUEST_CHANNEL), 2);

  /* A server that never answers: each request waits its timeout and returns a partial result, not an error. */
  fake = subscribe_requests(server->port);
  REQUIRE(fake != NULL);
  CHECK_OK(sio_server_count(em, NULL, &servers, &err));
  CHECK_INT_EQ(servers, 1);
  CHECK_OK(sio_server_count(em, "/admin", &servers, &err));
  CHECK_INT_EQ(servers, 0);

  started = now_ms();
  memset(&delivery, 0x5a, sizeof delivery);
  CHECK_OK(sio_emit_confirmed_json(em, user42, "notification", "[{\"type\":\"X\"}]", 200, 0, &delivery, &json, &err));
  elapsed = now_ms() - started;
  CHECK(elapsed >= 195 && elapsed < 1500);
  CHECK_INT_EQ(delivery.replies.servers, 1);
  CHECK_INT_EQ(delivery.replies.answered, 0);
  CHECK(delivery.replies.timed_out != 0);
  CHECK_INT_EQ(delivery.clients, 0);
  CHECK_INT_EQ(delivery.acks, 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(next_subscribed(fake, &m));
  CHECK_STR_EQ(m.channel, REQUEST_CHANNEL);
  CHECK_INT_EQ(m.payload[0], 0x85);
  CHECK(memmem(m.payload, m.size, "\xa3uid", 4) == m.payload + 1);
  CHECK(memmem(m.payload, m.size, "\xa9requestId", 10) != NULL);
  CHECK(memmem(m.payload, m.size, "\xacnotification", 13) != NULL);
  CHECK(memmem(m.payload, m.size, "\xa5rooms\x91\xa7user:42", 15) != NULL);

  /* wait_for_acks, and the timeout from the options (timeout_ms <= 0). */
  sio_emitter_free(em);
  o.request_timeout_ms = 300;
  em = new_emitter(server->url, &o);
  started = now_ms();
  memset(&delivery, 0x5a, sizeof delivery);
  CHECK_OK(sio_emit_confirmed_json(em, NULL, "tick", NULL, -1, 1, &delivery, &json, &err));
  elapsed = now_ms() - started;
  CHECK(elapsed >= 295 && elapsed < 1600);
  CHECK(delivery.replies.servers == 1 && delivery.replies.answered == 0 && delivery.replies.timed_out != 0);
  CHECK(delivery.clients == 0 && delivery.acks == 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(next_subscribed(fake, &m));
  CHECK_INT_EQ(m.payload[0], 0x85);

  started = now_ms();
  memset(&replies, 0x5a, sizeof replies);
  count = 7;
  CHECK_OK(sio_fetch_sockets_json(em, user42, 200, &replies, &json, &count, &err));
  elapsed = now_ms() - started;
  CHECK(elapsed >= 195 && elapsed < 1500);
  CHECK(replies.servers == 1 && replies.answered == 0 && replies.timed_out != 0);
  CHECK_INT_EQ(count, 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(next_subscribed(fake, &m));
  CHECK_STR_EQ(m.channel, REQUEST_CHANNEL);
  CHECK(starts_with((const char *)m.payload, "{\"uid\":\""));
  CHECK_STR_CONTAINS((const char *)m.payload, "\",\"requestId\":\"");
  if (!CHECK(ends_with((const char *)m.payload, "\",\"type\":5,\"opts\":{\"rooms\":[\"user:42\"],\"except\":[]}}")))
    fprintf(stderr, "    got %s\n", (const char *)m.payload);

  started = now_ms();
  memset(&replies, 0x5a, sizeof replies);
  CHECK_OK(sio_server_side_emit_with_ack_json(em, NULL, "ping", "[{\"a\":1}]", 200, &replies, &json, &err));
  elapsed = now_ms() - started;
  CHECK(elapsed >= 195 && elapsed < 1500);
  CHECK(replies.servers == 1 && replies.answered == 0 && replies.timed_out != 0);
  CHECK_STR_EQ(json, "[]");
  sio_free(json);
  json = NULL;
  CHECK(next_subscribed(fake, &m));
  CHECK(starts_with((const char *)m.payload, "{\"uid\":\""));
  if (!CHECK(ends_with((const char *)m.payload, "\",\"type\":6,\"data\":[\"ping\",{\"a\":1}]}")))
    fprintf(stderr, "    got %s\n", (const char *)m.payload);
  CHECK_INT_EQ(count_until_marker(sub, REQUEST_CHANNEL), 4);

  /* A server that answers: every answer arrives, nothing times out, the results are the servers' values. */
  {
    responder r;
    pthread_t thread;
    memset(&r, 0, sizeof r);
    r.requests = fake;
    r.answers = connect_port(server->port, 2000);
    REQUIRE(r.answers != NULL);
    REQUIRE(pthread_create(&thread, NULL, respond_3, &r) == 0);

    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_OK(sio_emit_confirmed_json(em, user42, "q", "[1]", 3000, 1, &delivery, &json, &err));
    CHECK(delivery.replies.servers == 1 && delivery.replies.answered == 1 && delivery.replies.timed_out == 0);
    CHECK_INT_EQ(delivery.clients, 2);
    CHECK_INT_EQ(delivery.acks, 2);
    CHECK_STR_EQ(json, "[{\"ok\":1},null]");
    sio_free(json);
    json = NULL;

    memset(&replies, 0x5a, sizeof replies);
    count = 7;
    CHECK_OK(sio_fetch_sockets_json(em, user42, 3000, &replies, &json, &count, &err));
    CHECK(replies.servers == 1 && replies.answered == 1 && replies.timed_out == 0);
    CHECK_INT_EQ(count, 2);
    CHECK_STR_EQ(json, "[{\"id\":\"abc\",\"rooms\":[\"abc\",\"user:42\"],"
                       "\"handshake\":{\"address\":\"::1\",\"query\":{}},\"data\":{\"n\":1}},"
                       "{\"id\":\"def\",\"rooms\":[\"def\"],\"handshake\":null,\"data\":null}]");
    sio_free(json);
    json = NULL;

    memset(&replies, 0x5a, sizeof replies);
    CHECK_OK(sio_server_side_emit_with_ack_json(em, "/", "ping", NULL, 3000, &replies, &json, &err));
    CHECK(replies.servers == 1 && replies.answered == 1 && replies.timed_out == 0);
    CHECK_STR_EQ(json, "[\"pong\"]");
    sio_free(json);
    json = NULL;

    pthread_join(thread, NULL);
    CHECK_INT_EQ(r.handled, 3);
    CHECK_INT_EQ(r.failed, 0);
    CHECK_INT_EQ(r.first_byte[0], 0x85);
    CHECK_INT_EQ(r.first_byte[1], '{');
    CHECK_INT_EQ(r.first_byte[2], '{');
    redisFree(r.answers);
    /* The PSUBSCRIBE * saw the three requests and the five answers. */
    {
      int requests = 0, answers = 0;
      redisReply *marker = redisCommand(publisher, "PUBLISH marker m");
      if (marker != NULL) freeReplyObject(marker);
      while (next_message(sub, &m) && strcmp(m.channel, "marker") != 0) {
        if (strcmp(m.channel, REQUEST_CHANNEL) == 0) ++requests;
        else if (strcmp(m.channel, RESPONSE_CHANNEL) == 0) ++answers;
        else CHECK_STR_EQ(m.channel, "a request or an answer");
      }
      CHECK_INT_EQ(requests, 3);
      CHECK_INT_EQ(answers, 5);
    }
  }

  /* The server leaves: the count follows (Redis drops a closed client's subscriptions as it notices the close). */
  redisFree(fake);
  {
    long long deadline = now_ms() + 2000;
    do {
      CHECK_OK(sio_server_count(em, NULL, &servers, &err));
      if (servers == 0) break;
      sleep_ms(10);
    } while (now_ms() < deadline);
    CHECK_INT_EQ(servers, 0);
  }

  sio_emitter_free(em);
  sio_target_free(user42);
}

typedef struct thread_job {
  sio_emitter *em;
  const sio_target *target;
  int acknowledged; /* OK with receivers == 1 */
  int failed;
} thread_job;

static void *emit_200(void *arg) {
  thread_job *job = (thread_job *)arg;
  int i;
  for (i = 0; i < 200; ++i) {
    char args[32];
    long long receivers = 0;
    sio_error e;
    snprintf(args, sizeof args, "[%d]", i);
    if (sio_emit_json(job->em, job->target, "tick", args, &receivers, &e) == SIO_OK && receivers == 1)
      ++job->acknowledged;
    else
      ++job->failed;
  }
  return NULL;
}

static void test_threads(sio_emitter *em, redisContext *sub) {
  thread_job jobs[4];
  pthread_t threads[4];
  sio_target *t = sio_target_new();
  int i, received = 0, acknowledged = 0, failed = 0;
  REQUIRE(t != NULL);
  CHECK_OK(sio_target_to(t, "user:42", &err));
  for (i = 0; i < 4; ++i) {
    jobs[i].em = em;
    jobs[i].target = t; /* one const target shared by all threads */
    jobs[i].acknowledged = 0;
    jobs[i].failed = 0;
    REQUIRE(pthread_create(&threads[i], NULL, emit_200, &jobs[i]) == 0);
  }
  for (i = 0; i < 4; ++i) {
    pthread_join(threads[i], NULL);
    acknowledged += jobs[i].acknowledged;
    failed += jobs[i].failed;
  }
  CHECK_INT_EQ(acknowledged, 800);
  CHECK_INT_EQ(failed, 0);
  for (i = 0; i < 800; ++i) {
    message m;
    if (!next_message(sub, &m)) break;
    if (strcmp(m.channel, "socket.io#/#user:42#") == 0) ++received;
  }
  CHECK_INT_EQ(received, 800);
  sio_target_free(t);
}

static void test_unreachable(void) {
  sio_options o = quick_options();
  sio_emitter *em;
  char url[64];
  long long receivers = 77;
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", free_port());
  em = new_emitter(url, &o);
  CHECK_FAILS(sio_emitter_connect(em, &err), SIO_E_CONNECTION, "127.0.0.1");
  CHECK_FAILS(sio_emit_json(em, NULL, "e", NULL, &receivers, &err), SIO_E_CONNECTION, "127.0.0.1");
  CHECK_INT_EQ(receivers, 77);
  CHECK_STATUS(sio_disconnect_sockets(em, NULL, 0, NULL, NULL), SIO_E_CONNECTION);
  {
    sio_delivery delivery;
    sio_replies replies;
    char *json = (char *)&delivery;
    size_t count = 7;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_FAILS(sio_emit_confirmed_json(em, NULL, "e", "[1]", 200, 1, &delivery, &json, &err), SIO_E_CONNECTION,
                "127.0.0.1");
    CHECK(json == NULL);
    CHECK(delivery.replies.servers == 0 && delivery.replies.answered == 0 && delivery.replies.timed_out == 0);
    CHECK(delivery.clients == 0 && delivery.acks == 0);
    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_fetch_sockets_json(em, NULL, 200, &replies, &json, &count, &err), SIO_E_CONNECTION, "127.0.0.1");
    CHECK(json == NULL);
    CHECK_INT_EQ(count, 0);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    json = (char *)&delivery;
    memset(&replies, 0x5a, sizeof replies);
    CHECK_FAILS(sio_server_side_emit_with_ack_json(em, NULL, "e", NULL, 200, &replies, &json, &err), SIO_E_CONNECTION,
                "127.0.0.1");
    CHECK(json == NULL);
    CHECK(replies.servers == 0 && replies.answered == 0 && replies.timed_out == 0);
    receivers = 77;
    CHECK_FAILS(sio_server_count(em, NULL, &receivers, &err), SIO_E_CONNECTION, "127.0.0.1");
    CHECK_INT_EQ(receivers, 0);
  }
  sio_emitter_free(em);
}

/* redis+sentinel:// takes the library's own path (the URL is passed as is): with no sentinel listening, the error
 * names each sentinel and why. */
static void test_sentinel_unreachable(void) {
  sio_options o = quick_options();
  sio_emitter *em;
  char url[96];
  char expected[256];
  long long receivers = 77;
  const int port = free_port();
  snprintf(url, sizeof url, "redis+sentinel://127.0.0.1:%d/mymaster", port);
  snprintf(expected, sizeof expected,
           "no sentinel of redis+sentinel://127.0.0.1:%d/mymaster/0 named the master \"mymaster\": 127.0.0.1:%d: "
           "Connection refused",
           port, port);
  em = new_emitter(url, &o);
  CHECK_FAILS(sio_emit_json(em, NULL, "e", NULL, &receivers, &err), SIO_E_CONNECTION, expected);
  CHECK(strcmp(err.message, expected) == 0);
  CHECK_INT_EQ(receivers, 77);
  sio_emitter_free(em);
}

static void test_auth(const redis_proc *secured) {
  sio_options o = quick_options();
  sio_emitter *em;
  char url[128];
  long long receivers = -5;

  em = new_emitter(secured->url, &o); /* no password */
  CHECK_FAILS(sio_emit_json(em, NULL, "e", NULL, &receivers, &err), SIO_E_AUTH, "NOAUTH");
  /* The library's message names the fix, for C callers as for notify. */
  CHECK(strstr(err.message, "NOAUTH Authentication required. (the server needs a password: put it in the Redis URL, "
                            "redis://:PASSWORD@HOST:PORT or redis://USER:PASSWORD@HOST:PORT") != NULL);
  /* Without `receivers` the emit is only queued: the refusal comes from the flush, never dropped. */
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, NULL, &err));
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, NULL, &err));
  CHECK_FAILS(sio_emitter_flush(em, 5000, &err), SIO_E_AUTH, "2 publishes failed since the last flush");
  CHECK(strstr(err.message, "NOAUTH") != NULL);
  CHECK_OK(sio_emitter_flush(em, 5000, &err)); /* reported once */
  sio_emitter_free(em);

  o.password = "wrong";
  em = new_emitter(secured->url, &o);
  CHECK_FAILS(sio_emitter_connect(em, &err), SIO_E_AUTH, "AUTH");
  CHECK_FAILS(sio_emit_json(em, NULL, "e", NULL, NULL, &err), SIO_E_AUTH, "AUTH");
  sio_emitter_free(em);

  snprintf(url, sizeof url, "redis://:s3cret@127.0.0.1:%d", secured->port);
  o.password = NULL;
  em = new_emitter(url, &o);
  CHECK_OK(sio_emitter_connect(em, &err));
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, &receivers, &err));
  CHECK_INT_EQ(receivers, 0); /* nobody subscribes there */
  sio_emitter_free(em);

  /* options.password overrides the URL's. */
  snprintf(url, sizeof url, "redis://:wrong@127.0.0.1:%d", secured->port);
  o.password = "s3cret";
  em = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, NULL, &err));
  sio_emitter_free(em);
}

/* A listener whose kernel completes the handshake but whose process never reads nor answers. */
static void test_timeout_silent_listener(void) {
  sio_options o = quick_options();
  sio_emitter *em;
  long long receivers = -5;
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  char url[64];
  long long started;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
  REQUIRE(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
  REQUIRE(listen(fd, 8) == 0);
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", ntohs(addr.sin_port));

  o.command_timeout_ms = 300;
  em = new_emitter(url, &o);
  started = now_ms();
  CHECK_FAILS(sio_emit_json(em, NULL, "e", NULL, &receivers, &err), SIO_E_TIMEOUT, "300 ms");
  CHECK(now_ms() - started < 3000);
  /* Queued: the emit returns at once, the flush reports the timeout. */
  started = now_ms();
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, NULL, &err));
  CHECK(now_ms() - started < 250);
  CHECK_FAILS(sio_emitter_flush(em, 5000, &err), SIO_E_TIMEOUT, "300 ms");
  CHECK(now_ms() - started < 3000);
  sio_emitter_free(em);
  close(fd);
}

/* A real redis-server that stops answering: CLIENT PAUSE ... ALL holds every command, PUBLISH included. */
static void test_timeout_client_pause(const redis_proc *server) {
  sio_options o = quick_options();
  sio_emitter *em;
  redisContext *admin = connect_port(server->port, 2000);
  redisReply *r;
  long long started;
  REQUIRE(admin != NULL);
  o.command_timeout_ms = 300;
  em = new_emitter(server->url, &o);
  CHECK_OK(sio_emitter_connect(em, &err));
  r = redisCommand(admin, "CLIENT PAUSE 1500 ALL");
  CHECK(r != NULL && r->type == REDIS_REPLY_STATUS);
  if (r != NULL) freeReplyObject(r);
  started = now_ms();
  CHECK_OK(sio_emit_json(em, NULL, "e", NULL, NULL, &err));
  /* The flush's own bound is shorter than the command timeout: it gives up first, saying how many are due. */
  CHECK_FAILS(sio_emitter_flush(em, 100, &err), SIO_E_TIMEOUT, "1 command(s)");
  CHECK_FAILS(sio_emitter_flush(em, 5000, &err), SIO_E_TIMEOUT, "did not answer");
  CHECK(now_ms() - started < 1400);
  sio_emitter_free(em);
  redisFree(admin);
  sleep_ms(1300); /* let the pause end before the server is stopped */
}

/* The outage buffer: queued emits made while Redis is down are kept up to the bound (the next one refused, or the
 * oldest dropped and reported by the flush), or refused at once with no buffer, and go out once Redis is up. */
static void test_outage_buffer(const char *binary) {
  sio_options o = quick_options();
  sio_emitter *none, *fail_new, *drop_oldest;
  redis_proc late;
  redisContext *admin;
  redisReply *r;
  char url[64];
  const int port = free_port();
  snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);

  o.max_buffered_messages = -1;
  none = new_emitter(url, &o);
  CHECK_FAILS(sio_emit_json(none, NULL, "e", "[0]", NULL, &err), SIO_E_CONNECTION, "127.0.0.1");

  o.max_buffered_messages = 2;
  o.reconnect_delay_ms = 20;
  o.max_reconnect_delay_ms = 50;
  fail_new = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(fail_new, NULL, "e", "[1]", NULL, &err));
  CHECK_OK(sio_emit_json(fail_new, NULL, "e", "[2]", NULL, &err));
  CHECK_FAILS(sio_emit_json(fail_new, NULL, "e", "[3]", NULL, &err), SIO_E_CONNECTION,
              "the buffer is full (2 messages");
  CHECK_FAILS(sio_emitter_flush(fail_new, 200, &err), SIO_E_TIMEOUT, "unreachable");

  o.overflow = SIO_OVERFLOW_DROP_OLDEST;
  drop_oldest = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(drop_oldest, NULL, "e", "[1]", NULL, &err));
  CHECK_OK(sio_emit_json(drop_oldest, NULL, "e", "[2]", NULL, &err));
  CHECK_OK(sio_emit_json(drop_oldest, NULL, "e", "[3]", NULL, &err));

  o.overflow = 7;
  {
    sio_emitter *bad = (sio_emitter *)&o;
    CHECK_FAILS(sio_emitter_new(url, &o, &bad, &err), SIO_E_INVALID_ARGUMENT, "options->overflow");
    CHECK(bad == NULL);
  }

  /* Redis comes up where the emitters expect it: they reconnect on their own and send what they kept. */
  REQUIRE(redis_start(&late, binary, NULL, port));
  CHECK_OK(sio_emitter_flush(fail_new, 5000, &err));
  CHECK_FAILS(sio_emitter_flush(drop_oldest, 5000, &err), SIO_E_CONNECTION, "dropped from the buffer");
  CHECK_OK(sio_emitter_flush(drop_oldest, 5000, &err)); /* reported once */
  admin = connect_port(port, 2000);
  REQUIRE(admin != NULL);
  r = redisCommand(admin, "INFO commandstats");
  REQUIRE(r != NULL && r->type == REDIS_REPLY_STRING);
  CHECK(strstr(r->str, "cmdstat_publish:calls=4,") != NULL); /* 2 kept by each; none from `none` */
  freeReplyObject(r);
  redisFree(admin);
  sio_emitter_free(none);
  sio_emitter_free(fail_new);
  sio_emitter_free(drop_oldest);
  redis_stop(&late);
}

/* TLS through the C API: certificates made by the openssl command in a temporary directory, a redis-server with
 * --tls-port, and the tls_* fields of sio_options: the right CA, the wrong one (SIO_E_TLS), tls_insecure, tls with
 * a redis:// URL, a missing CA file, a certificate without its key. */
static int run_quietly(const char *command) {
  char line[1024 + 32]; /* the callers' commands fit in 1024 */
  snprintf(line, sizeof line, "%s >/dev/null 2>&1", command);
  return system(line) == 0;
}

static int make_test_certificates(const char *dir) {
  char command[1024];
  const char *names[2] = {"ca", "other-ca"};
  int i;
  for (i = 0; i < 2; ++i) {
    snprintf(command, sizeof command,
             "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
             "-subj '/CN=sio c test %s' -keyout %s.key -out %s.pem",
             dir, names[i], names[i], names[i]);
    if (!run_quietly(command)) return 0;
  }
  snprintf(command, sizeof command,
           "cd %s && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost "
           "-keyout server.key -out server.csr && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext "
           "&& openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
           "-extfile server.ext -out server.pem",
           dir);
  return run_quietly(command);
}

static void test_tls(const char *binary) {
  char dir[64] = "/tmp/sio-c-api-tls-XXXXXX";
  char ca[128], other_ca[128], cert[128], key[128], url[128], tls_port_text[16], command[256];
  const char *extra[12];
  redis_proc server;
  sio_options o = quick_options();
  sio_emitter *em;
  long long receivers = -1;
  const int tls_port = free_port();

  REQUIRE(mkdtemp(dir) != NULL);
  if (!make_test_certificates(dir)) {
    check_record(0, __FILE__, __LINE__, "openssl made the test certificates", NULL);
    return;
  }
  snprintf(ca, sizeof ca, "%s/ca.pem", dir);
  snprintf(other_ca, sizeof other_ca, "%s/other-ca.pem", dir);
  snprintf(cert, sizeof cert, "%s/server.pem", dir);
  snprintf(key, sizeof key, "%s/server.key", dir);
  snprintf(tls_port_text, sizeof tls_port_text, "%d", tls_port);
  extra[0] = "--tls-port";
  extra[1] = tls_port_text;
  extra[2] = "--tls-cert-file";
  extra[3] = cert;
  extra[4] = "--tls-key-file";
  extra[5] = key;
  extra[6] = "--tls-ca-cert-file";
  extra[7] = ca;
  extra[8] = "--tls-auth-clients";
  extra[9] = "no";
  extra[10] = NULL;
  REQUIRE(redis_start_with(&server, binary, NULL, 0, extra));
  snprintf(url, sizeof url, "rediss://127.0.0.1:%d", tls_port);

  o.tls_ca_file = ca;
  em = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err));
  CHECK_INT_EQ(receivers, 0);
  sio_emitter_free(em);

  o.tls_ca_file = other_ca;
  em = new_emitter(url, &o);
  CHECK_FAILS(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err), SIO_E_TLS, "certificate verify failed");
  CHECK(strcmp(sio_strerror(SIO_E_TLS), "TLS failed") == 0);
  sio_emitter_free(em);

  o.tls_insecure = 1; /* the wrong CA, unchecked */
  em = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err));
  sio_emitter_free(em);
  o.tls_insecure = 0;

  snprintf(url, sizeof url, "redis://127.0.0.1:%d", tls_port); /* TLS asked for with the flag */
  o.tls = 1;
  o.tls_ca_file = ca;
  o.tls_server_name = "localhost";
  em = new_emitter(url, &o);
  CHECK_OK(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err));
  sio_emitter_free(em);

  o.tls_ca_file = "/nonexistent/ca.pem";
  em = new_emitter(url, &o);
  CHECK_FAILS(sio_emitter_connect(em, &err), SIO_E_TLS, "cannot read the CA file \"/nonexistent/ca.pem\"");
  sio_emitter_free(em);

  o.tls_ca_file = ca;
  o.tls_cert_file = cert;
  em = (sio_emitter *)&o;
  CHECK_FAILS(sio_emitter_new(url, &o, &em, &err), SIO_E_INVALID_ARGUMENT, "private key");
  CHECK(em == NULL);

  redis_stop(&server);
  snprintf(command, sizeof command, "rm -rf %s", dir);
  run_quietly(command);
}

/* The adapter modes through sio_options: streams mode adds an entry to the stream (receivers -1: none are counted),
 * sharded mode SPUBLISHes, and a mode that is not an sio_mode is refused. */
static void test_modes(const redis_proc *server, redisContext *sub) {
  sio_options o = quick_options();
  sio_emitter *em;
  redisContext *admin = connect_port(server->port, 2000);
  redisReply *r;
  long long receivers = 7;
  REQUIRE(admin != NULL);

  o.mode = SIO_MODE_STREAMS;
  o.stream_name = "c-api-stream";
  em = new_emitter(server->url, &o);
  CHECK_OK(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err));
  CHECK_INT_EQ(receivers, -1);
  {
    /* sio_emit_sync reports the entry id: the one Redis stored, after the first entry's. */
    const sio_arg two = {SIO_ARG_JSON, "2", 1};
    sio_published published = {7, "stale"};
    CHECK_OK(sio_emit_sync(em, NULL, "e", &two, 1, &published, &err));
    CHECK_INT_EQ(published.receivers, -1);
    r = redisCommand(admin, "XREVRANGE c-api-stream + - COUNT 1");
    REQUIRE(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    CHECK_STR_EQ(published.offset, r->element[0]->element[0]->str);
    freeReplyObject(r);
    CHECK_FAILS(sio_emit_sync(em, NULL, "e", &two, 1, NULL, &err), SIO_E_INVALID_ARGUMENT, "out is NULL");
  }
  {
    /* Requests in the streams adapter's protocol (the servers answering: tests/gateway/e2e/confirm-streams): with
     * no server, nobody to wait for, and nothing written to the stream. */
    sio_delivery delivery;
    char *json = NULL;
    long long servers = 7;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_OK(sio_emit_confirmed_json(em, NULL, "e", "[1]", 500, 0, &delivery, &json, &err));
    CHECK(delivery.replies.servers == 0 && delivery.replies.answered == 0 && delivery.replies.timed_out == 0);
    CHECK(delivery.clients == 0);
    sio_free(json);
    {
      message m; /* a PUBLISH on the channel the servers subscribe, as the adapter's own ephemeral messages */
      CHECK(next_message(sub, &m) && strcmp(m.channel, "socket.io#/#") == 0);
    }
    CHECK_OK(sio_server_count(em, NULL, &servers, &err));
    CHECK_INT_EQ(servers, 0);
  }
  sio_emitter_free(em);
  r = redisCommand(admin, "XRANGE c-api-stream - + COUNT 1"); /* the first entry, from sio_emit_json */
  REQUIRE(r != NULL && r->type == REDIS_REPLY_ARRAY);
  CHECK_INT_EQ(r->elements, 1);
  if (r->elements == 1 && r->element[0]->elements == 2 && r->element[0]->element[1]->elements == 8) {
    CHECK_STR_EQ(r->element[0]->element[1]->element[1]->str, "emitter");
    CHECK_STR_EQ(r->element[0]->element[1]->element[5]->str, "3");
    CHECK_STR_EQ(r->element[0]->element[1]->element[7]->str,
                 "{\"packet\":{\"type\":2,\"data\":[\"e\",1],\"nsp\":\"/\"},\"opts\":{\"rooms\":[],\"flags\":{},\"except\":[]}}");
  } else {
    CHECK(!"one entry with 4 fields");
  }
  freeReplyObject(r);

  o = quick_options();
  o.mode = SIO_MODE_SHARDED;
  o.subscription_mode = SIO_SUBSCRIPTION_STATIC;
  em = new_emitter(server->url, &o);
  receivers = 7;
  CHECK_OK(sio_emit_json(em, NULL, "e", "[1]", &receivers, &err));
  CHECK_INT_EQ(receivers, 0); /* no sharded server listens here */
  {
    sio_published published = {7, "stale"};
    CHECK_OK(sio_emit_sync(em, NULL, "e", NULL, 0, &published, &err));
    CHECK_INT_EQ(published.receivers, 0);
    CHECK_STR_EQ(published.offset, "");
  }
  {
    /* Requests in the sharded adapter's protocol: one more SPUBLISH, on the main channel (tests/gateway/e2e
     * confirm-sharded-* has servers answering). */
    sio_delivery delivery;
    char *json = NULL;
    long long servers = 7;
    memset(&delivery, 0x5a, sizeof delivery);
    CHECK_OK(sio_emit_confirmed_json(em, NULL, "e", "[1]", 500, 0, &delivery, &json, &err));
    CHECK(delivery.replies.servers == 0 && delivery.replies.answered == 0 && delivery.replies.timed_out == 0);
    sio_free(json);
    CHECK_OK(sio_server_count(em, NULL, &servers, &err));
    CHECK_INT_EQ(servers, 0);
  }
  sio_emitter_free(em);
  r = redisCommand(admin, "INFO commandstats");
  REQUIRE(r != NULL && r->type == REDIS_REPLY_STRING);
  CHECK(strstr(r->str, "cmdstat_spublish:calls=3,") != NULL);
  freeReplyObject(r);

  o = quick_options();
  o.mode = 3;
  {
    sio_emitter *bad = (sio_emitter *)&o;
    CHECK_FAILS(sio_emitter_new(server->url, &o, &bad, &err), SIO_E_INVALID_ARGUMENT, "options->mode");
    CHECK(bad == NULL);
  }
  redisFree(admin);
}

int main(int argc, char **argv) {
  const char *binary = find_redis_server(argc, argv);
  redis_proc server, secured;
  redisContext *sub;
  sio_emitter *em;
  sio_options o = quick_options();

  test_strerror_and_version();
  test_options_and_emitter_new();
  test_null_arguments();

  if (binary == NULL) {
    fprintf(stderr, "redis-server not found (pass its path, set SIO_REDIS_SERVER or put it on PATH)\n");
    check_record(0, __FILE__, __LINE__, "redis-server found", NULL);
    return check_summary();
  }
  REQUIRE(redis_start(&server, binary, NULL, 0));
  if (!redis_start(&secured, binary, "s3cret", 0)) {
    redis_stop(&server);
    REQUIRE(!"second redis-server started");
  }
  sub = subscribe_all(server.port);
  publisher = connect_port(server.port, 2000);
  if (sub == NULL || publisher == NULL) {
    redis_stop(&server);
    redis_stop(&secured);
    REQUIRE(!"subscriber and publisher connected");
  }

  test_dry_run(server.url, sub);
  em = new_emitter(server.url, &o);
  CHECK_OK(sio_emitter_connect(em, &err));
  test_exact_bytes(em, sub);
  test_flags_order(em, sub);
  test_clone_independence(em, sub);
  test_requests(em, sub);
  test_bad_data(em, sub);
  test_key_option(server.url, sub);
  test_server_requests(&server, sub);
  test_threads(em, sub);
  test_modes(&server, sub);
  CHECK_NOTHING_PUBLISHED(sub);
  sio_emitter_free(em);

  test_unreachable();
  test_sentinel_unreachable();
  test_outage_buffer(binary);
  test_tls(binary);
  test_auth(&secured);
  test_timeout_silent_listener();
  test_timeout_client_pause(&server);

  redisFree(sub);
  redisFree(publisher);
  redis_stop(&secured);
  redis_stop(&server);
  return check_summary();
}
