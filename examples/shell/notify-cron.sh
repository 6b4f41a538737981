#!/usr/bin/env bash
# notify-cron.sh: a cron job sending each user's daily digest as a Socket.IO notification, with `notify`.
#
#   notify-cron.sh USER_ID...
#
# For each user: `notify --user ID --type DAILY_DIGEST --payload JSON --require-receivers`, i.e. the event
# "notification" to room "user:ID" with {"type":"DAILY_DIGEST","payload":JSON,"timestamp":MS}.
#
# Environment:
#   REDIS_URL              where Redis is (read by notify itself; its default is redis://127.0.0.1:6379)
#   SIO_KEY                the servers' adapter key (read by notify; default socket.io)
#   DIGEST_PAYLOAD         the payload JSON; default {"date":"<today, UTC>"}
#   NOTIFY                 the notify command (default: notify, from PATH)
#   NOTIFY_TIMEOUT         notify's connect and command timeout (default 5s)
#   NOTIFY_CRON_ATTEMPTS   tries for transient failures, Redis unreachable or timeout (default 3)
#   NOTIFY_CRON_RETRY_DELAY  the wait before retry n is n times this many seconds (default 30)
#
# Output: one line per event, "<UTC time> notify-cron: <level>: <message>". Everything goes to stdout (append it to
# a log file); warnings and errors go to stderr as well, so cron mails (MAILTO) only the runs that need a look.
# Exit status: 0 when every digest was delivered to a Socket.IO server, else notify's exit code of the last failure
# (see README "Exit codes"), 2 for a usage error of this script.
set -u

NOTIFY=${NOTIFY:-notify}
ATTEMPTS=${NOTIFY_CRON_ATTEMPTS:-3}
RETRY_DELAY=${NOTIFY_CRON_RETRY_DELAY:-30}
TIMEOUT=${NOTIFY_TIMEOUT:-5s}

log() { # LEVEL MESSAGE...
  local level=$1
  shift
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) notify-cron: $level: $*"
  printf '%s\n' "$line"
  if [ "$level" != info ]; then printf '%s\n' "$line" >&2; fi
}

if [ $# -eq 0 ]; then
  log error "usage: notify-cron.sh USER_ID..."
  exit 2
fi
case $ATTEMPTS$RETRY_DELAY in
  *[!0-9]*)
    log error "NOTIFY_CRON_ATTEMPTS and NOTIFY_CRON_RETRY_DELAY must be whole numbers"
    exit 2
    ;;
esac
[ "$ATTEMPTS" -ge 1 ] || ATTEMPTS=1
# Never print the URL itself: it may carry a password.
if [ -z "${REDIS_URL:-}" ]; then
  log warning "REDIS_URL is not set: notify uses redis://127.0.0.1:6379"
fi

payload=${DIGEST_PAYLOAD:-"{\"date\":\"$(date -u +%F)\"}"}

# Sends one user's digest, retrying only what may succeed later. Returns notify's exit code.
send_digest() { # USER_ID
  local user=$1 attempt=1 code output
  while :; do
    # notify prints one line on failure; keep it for the log (stdout is empty without --json/--verbose).
    output=$("$NOTIFY" --user "$user" --type DAILY_DIGEST --payload "$payload" --require-receivers \
      --timeout "$TIMEOUT" 2>&1)
    code=$?
    output=${output//$'\n'/ } # one log line per event, even when notify says more
    case $code in
      0)
        log info "user $user: daily digest sent (attempt $attempt)"
        return 0
        ;;
      2)
        log error "user $user: usage error, check REDIS_URL and this script's notify options; not retried: $output"
        return 2
        ;;
      3)
        log error "user $user: invalid digest payload, nothing was published; not retried: $output"
        return 3
        ;;
      4 | 6)
        local what="Redis unreachable"
        [ "$code" -eq 6 ] && what="Redis timed out"
        if [ "$attempt" -ge "$ATTEMPTS" ]; then
          log error "user $user: $what, giving up after $attempt attempt(s): $output"
          return "$code"
        fi
        local delay=$((RETRY_DELAY * attempt))
        log warning "user $user: $what (attempt $attempt of $ATTEMPTS), retrying in ${delay}s: $output"
        sleep "$delay"
        attempt=$((attempt + 1))
        ;;
      5)
        log error "user $user: Redis refused (password, ACL or error reply); not retried: $output"
        return 5
        ;;
      7)
        # Published, so a retry would send it twice once a server is back; tell a human instead.
        log error "user $user: published but no Socket.IO server received it (wrong SIO_KEY, or servers down); not retried"
        return 7
        ;;
      126 | 127)
        log error "cannot run '$NOTIFY' (exit $code): set PATH or NOTIFY in the crontab: $output"
        return "$code"
        ;;
      *)
        log error "user $user: notify failed with exit code $code; not retried: $output"
        return "$code"
        ;;
    esac
  done
}

status=0
for user in "$@"; do
  send_digest "$user"
  code=$?
  [ "$code" -eq 0 ] || status=$code
done
exit "$status"
