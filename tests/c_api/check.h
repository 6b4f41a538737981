/* check.h: a minimal assertion set for C tests (doctest is C++ only).
 *
 *   CHECK(expr)                 counts a failure and goes on
 *   REQUIRE(expr)               counts a failure and leaves the test program (exit 1) after the summary
 *   CHECK_STATUS(call, status)  the call returns `status`
 *   CHECK_STR_EQ(a, b), CHECK_STR_CONTAINS(haystack, needle), CHECK_INT_EQ(a, b)
 *   return check_summary();     prints "N passed, M failed"; non-zero when anything failed
 *
 * A failure names the expression, the file and the line. Not thread-safe: check from the main thread only. */
#ifndef SIO_TEST_CHECK_H
#define SIO_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed_count = 0;
static int check_failed_count = 0;

static int check_summary(void) {
  printf("%d passed, %d failed\n", check_passed_count, check_failed_count);
  fflush(stdout);
  return check_failed_count == 0 ? 0 : 1;
}

static int check_record(int ok, const char *file, int line, const char *expr, const char *detail) {
  if (ok) {
    ++check_passed_count;
  } else {
    ++check_failed_count;
    fprintf(stderr, "%s:%d: CHECK failed: %s%s%s\n", file, line, expr, detail ? "\n    " : "", detail ? detail : "");
    fflush(stderr);
  }
  return ok;
}

static int check_str_record(const char *a, const char *b, int contains, const char *file, int line,
                            const char *expr) {
  int ok;
  if (a == NULL || b == NULL)
    ok = 0;
  else
    ok = contains ? strstr(a, b) != NULL : strcmp(a, b) == 0;
  check_record(ok, file, line, expr, NULL);
  if (!ok) fprintf(stderr, "    got \"%s\" and \"%s\"\n", a ? a : "(NULL)", b ? b : "(NULL)");
  return ok;
}

static int check_int_record(long long a, long long b, const char *file, int line, const char *expr) {
  check_record(a == b, file, line, expr, NULL);
  if (a != b) fprintf(stderr, "    got %lld and %lld\n", a, b);
  return a == b;
}

#define CHECK(expr) check_record((expr) ? 1 : 0, __FILE__, __LINE__, #expr, NULL)
#define REQUIRE(expr)                                                     \
  do {                                                                    \
    if (!check_record((expr) ? 1 : 0, __FILE__, __LINE__, #expr, NULL)) { \
      check_summary();                                                    \
      exit(1);                                                            \
    }                                                                     \
  } while (0)
#define CHECK_INT_EQ(a, b) check_int_record((long long)(a), (long long)(b), __FILE__, __LINE__, #a " == " #b)
#define CHECK_STATUS(call, status) CHECK_INT_EQ(call, status)
#define CHECK_STR_EQ(a, b) check_str_record((a), (b), 0, __FILE__, __LINE__, #a " equals " #b)
#define CHECK_STR_CONTAINS(a, b) check_str_record((a), (b), 1, __FILE__, __LINE__, #a " contains " #b)

#endif /* SIO_TEST_CHECK_H */
