// The integration tests' doctest main. SIGPIPE keeps its default action on purpose: if sio ever let hiredis
// raise it, the run would die and show it.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
