/* sio-bench-raw-send-floor: the kernel's floor under bench/gateway-fanout's broadcast figures. M loopback TCP
 * connections in this one process; a reader thread (epoll) drains the accepted ends, and the main thread writes,
 * with one send() per socket, the same unmasked WebSocket text frame a server writes for one broadcast (0x81,
 * length, the Engine.IO/Socket.IO text given as PAYLOAD). On loopback the receiver's TCP processing runs in the
 * sender's send() (softirq), so the sending thread's CPU time (CLOCK_THREAD_CPUTIME_ID) is what one delivery costs
 * the kernel, whatever a server does above it. The burst variant sends 20 frames concatenated in one send() per
 * socket: the floor for coalesced bursts, reported per frame.
 *
 *   sio-bench-raw-send-floor --pairs M --payload TEXT [--rounds 5] [--burst 20] [--burst-rounds 3]
 *
 * Each pair takes two descriptors here: M is capped by the caller to what the descriptor limit holds (this
 * program raises its soft limit to the hard one, and refuses an M it cannot hold).
 * Prints one JSON line: {"pairs","frame_bytes","single_cpu_ns_per_send","single_sends_per_s",
 * "burst_frames","burst_cpu_ns_per_frame","burst_frames_per_s"}. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int *senders;
static int *receivers;
static size_t pairs;
static int epfd = -1;
static volatile int stop_reader;
static uint64_t received_bytes; /* written by the reader thread, read under the lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what) {
  fprintf(stderr, "sio-bench-raw-send-floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int64_t ns_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

static uint64_t received(void) {
  uint64_t r;
  pthread_mutex_lock(&lock);
  r = received_bytes;
  pthread_mutex_unlock(&lock);
  return r;
}

static void *reader(void *arg) {
  static char buf[65536];
  struct epoll_event events[256];
  (void)arg;
  while (!stop_reader) {
    int n = epoll_wait(epfd, events, 256, 50);
    int i;
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      for (;;) {
        ssize_t got = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got > 0) {
          pthread_mutex_lock(&lock);
          received_bytes += (uint64_t)got;
          pthread_mutex_unlock(&lock);
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        break;
      }
    }
  }
  return NULL;
}

/* Waits (sleeping: not charged to the measured thread's send loop) until the reader has drained `target` bytes. */
static void wait_drained(uint64_t target) {
  int64_t deadline = ns_of(CLOCK_MONOTONIC) + 30000000000LL;
  struct timespec ms = {0, 1000000};
  while (received() < target) {
    if (ns_of(CLOCK_MONOTONIC) > deadline) {
      fprintf(stderr, "sio-bench-raw-send-floor: the reader drained %llu of %llu bytes within 30 s\n",
              (unsigned long long)received(), (unsigned long long)target);
      exit(1);
    }
    nanosleep(&ms, NULL);
  }
}

/* One send() of `len` bytes per socket, `rounds` times; returns the sending thread's CPU ns for all of them and
 * adds their wall time to *wall_ns. */
static int64_t send_rounds(const unsigned char *buf, size_t len, int rounds, int64_t *wall_ns) {
  int64_t cpu = 0;
  int r;
  size_t i;
  *wall_ns = 0;
  for (r = 0; r < rounds; r++) {
    uint64_t target = received() + (uint64_t)len * pairs;
    int64_t w0 = ns_of(CLOCK_MONOTONIC);
    int64_t c0 = ns_of(CLOCK_THREAD_CPUTIME_ID);
    for (i = 0; i < pairs; i++) {
      ssize_t sent = send(senders[i], buf, len, MSG_NOSIGNAL);
      if (sent != (ssize_t)len) die("send (short or failed)");
    }
    cpu += ns_of(CLOCK_THREAD_CPUTIME_ID) - c0;
    *wall_ns += ns_of(CLOCK_MONOTONIC) - w0;
    wait_drained(target);
  }
  return cpu;
}

static int usage(void) {
  fprintf(stderr, "usage: sio-bench-raw-send-floor --pairs M --payload TEXT [--rounds 5] [--burst 20] [--burst-rounds 3]\n");
  return 2;
}

int main(int argc, char **argv) {
  const char *payload = NULL;
  long rounds = 5, burst = 20, burst_rounds = 3, m = 0;
  int i;
  size_t k, plen, flen;
  unsigned char frame[65536 + 4];
  unsigned char *burst_buf;
  int listener, one = 1;
  struct sockaddr_in addr;
  socklen_t alen = sizeof addr;
  struct rlimit rl;
  pthread_t thread;
  int64_t wall, single_cpu, burst_cpu, burst_wall;

  for (i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--pairs")) m = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--payload")) payload = argv[i + 1];
    else if (!strcmp(argv[i], "--rounds")) rounds = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--burst")) burst = strtol(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--burst-rounds")) burst_rounds = strtol(argv[i + 1], NULL, 10);
    else return usage();
  }
  if (i != argc || !payload || m <= 0 || rounds <= 0 || burst <= 0 || burst > 1000 || burst_rounds <= 0) return usage();
  pairs = (size_t)m;
  plen = strlen(payload);
  if (plen > 65535) return usage();

  /* The frame a server writes: FIN + text, no mask, 7-bit or 16-bit length. */
  frame[0] = 0x81;
  if (plen < 126) {
    frame[1] = (unsigned char)plen;
    flen = 2;
  } else {
    frame[1] = 126;
    frame[2] = (unsigned char)(plen >> 8);
    frame[3] = (unsigned char)(plen & 0xff);
    flen = 4;
  }
  memcpy(frame + flen, payload, plen);
  flen += plen;
  burst_buf = malloc(flen * (size_t)burst);
  if (!burst_buf) die("malloc");
  for (k = 0; k < (size_t)burst; k++) memcpy(burst_buf + k * flen, frame, flen);

  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && 2 * pairs + 32 > rl.rlim_cur) {
    fprintf(stderr, "sio-bench-raw-send-floor: %zu pairs need %zu descriptors, the limit is %llu\n", pairs,
            2 * pairs + 32, (unsigned long long)rl.rlim_cur);
    return 1;
  }

  senders = calloc(pairs, sizeof *senders);
  receivers = calloc(pairs, sizeof *receivers);
  if (!senders || !receivers) die("calloc");
  listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) die("socket");
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(listener, 1024) < 0) die("listen");
  if (getsockname(listener, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
  epfd = epoll_create1(0);
  if (epfd < 0) die("epoll_create1");
  for (k = 0; k < pairs; k++) {
    struct epoll_event ev;
    senders[k] = socket(AF_INET, SOCK_STREAM, 0);
    if (senders[k] < 0) die("socket");
    if (connect(senders[k], (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    /* As the servers do: no Nagle on the sending side. */
    if (setsockopt(senders[k], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt TCP_NODELAY");
    receivers[k] = accept(listener, NULL, NULL);
    if (receivers[k] < 0) die("accept");
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = receivers[k];
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, receivers[k], &ev) < 0) die("epoll_ctl");
  }
  if (pthread_create(&thread, NULL, reader, NULL) != 0) die("pthread_create");

  /* One warm-up round, then the measured ones. */
  send_rounds(frame, flen, 1, &wall);
  single_cpu = send_rounds(frame, flen, (int)rounds, &wall);
  burst_cpu = send_rounds(burst_buf, flen * (size_t)burst, (int)burst_rounds, &burst_wall);

  stop_reader = 1;
  pthread_join(thread, NULL);
  printf("{\"pairs\":%zu,\"frame_bytes\":%zu,\"rounds\":%ld,\"single_cpu_ns_per_send\":%.1f,"
         "\"single_sends_per_s\":%.0f,\"burst_frames\":%ld,\"burst_rounds\":%ld,\"burst_cpu_ns_per_frame\":%.1f,"
         "\"burst_cpu_ns_per_send\":%.1f,\"burst_frames_per_s\":%.0f}\n",
         pairs, flen, rounds, (double)single_cpu / ((double)rounds * (double)pairs),
         (double)rounds * (double)pairs / ((double)wall / 1e9), burst, burst_rounds,
         (double)burst_cpu / ((double)burst_rounds * (double)pairs * (double)burst),
         (double)burst_cpu / ((double)burst_rounds * (double)pairs),
         (double)burst_rounds * (double)pairs * (double)burst / ((double)burst_wall / 1e9));
  for (k = 0; k < pairs; k++) {
    close(senders[k]);
    close(receivers[k]);
  }
  close(listener);
  close(epfd);
  free(burst_buf);
  free(senders);
  free(receivers);
  return 0;
}
