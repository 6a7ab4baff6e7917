/*
 * Exec load generator for the exec-storm benchmark: starts `/bin/true TAG SEQ` at a fixed rate
 * or as fast as the machine allows (rate 0), for a fixed time, and prints one JSON line with
 * what it ran. Deadlines are absolute (CLOCK_MONOTONIC), so drift does not accumulate and a
 * stall is caught up; `late` counts wake-ups more than one period behind, so a run that could
 * not hold its rate says so.
 *
 * The TAG and sequence number travel in argv so the runner can prove, per event, that every
 * exec reached the store (a missing SEQ is a lost event, not an assumption).
 *
 * usage: loadgen RATE SECONDS TAG [MAX_CHILDREN]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec to_timespec(int64_t ns) {
  struct timespec ts = {.tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL};
  return ts;
}

/* Reaps finished children; with `block` it waits for at least one. Returns how many. */
static long reap(int block, long *failed) {
  long reaped = 0;
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, (block && reaped == 0) ? 0 : WNOHANG);
    if (pid <= 0) return reaped;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) (*failed)++;
    reaped++;
  }
}

static int parse_long(const char *text, long min, long *out) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min) return -1;
  *out = value;
  return 0;
}

int main(int argc, char **argv) {
  long rate, seconds, max_children = 4;
  if (argc < 4 || argc > 5 || parse_long(argv[1], 0, &rate) != 0 || parse_long(argv[2], 1, &seconds) != 0 ||
      (argc == 5 && parse_long(argv[4], 1, &max_children) != 0)) {
    fprintf(stderr, "usage: loadgen RATE(0=max) SECONDS TAG [MAX_CHILDREN]\n");
    return 2;
  }
  const char *tag = argv[3];
  char seq_text[32];
  char *child_argv[] = {"/bin/true", (char *)tag, seq_text, NULL};

  long ran = 0, failed = 0, spawn_errors = 0, late = 0, outstanding = 0;
  int64_t max_lateness = 0;
  const int64_t start = now_ns();
  const int64_t end = start + seconds * 1000000000LL;
  const int64_t period = rate > 0 ? 1000000000LL / rate : 0;
  int64_t deadline = start;

  while (now_ns() < end) {
    if (rate > 0) {
      struct timespec at = to_timespec(deadline);
      while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR) {
      }
      int64_t lateness = now_ns() - deadline;
      if (lateness > max_lateness) max_lateness = lateness;
      if (lateness > period) late++;
      deadline += period;
    }
    if (outstanding >= max_children) outstanding -= reap(1, &failed);
    snprintf(seq_text, sizeof seq_text, "%ld", ran);
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/true", NULL, NULL, child_argv, environ);
    if (rc != 0) {
      spawn_errors++;
      continue;
    }
    ran++;
    outstanding++;
    outstanding -= reap(0, &failed);
  }
  while (outstanding > 0) {
    long reaped = reap(1, &failed);
    if (reaped == 0) break;
    outstanding -= reaped;
  }
  double elapsed = (double)(now_ns() - start) / 1e9;
  printf("{\"ran\":%ld,\"failed\":%ld,\"spawnErrors\":%ld,\"late\":%ld,\"maxLatenessUs\":%lld,\"seconds\":%.3f,\"requestedRate\":%ld}\n", ran, failed,
         spawn_errors, late, (long long)(max_lateness / 1000), elapsed, rate);
  return 0;
}
