#include "http/demo_page.hpp"

namespace sio::gateway::http {
namespace {

// The page itself: no inline script or style, so the Content-Security-Policy can allow only our own files.
constexpr std::string_view page_html = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sio-gateway: live notifications</title>
<link rel="stylesheet" href="/demo.css">
</head>
<body>
<main>
  <header>
    <h1>Live notifications</h1>
    <p class="who">for <strong id="who">nobody yet</strong></p>
    <p id="state" class="state" data-state="idle" role="status" aria-live="polite">not connected</p>
  </header>
  <section id="help" hidden>
    <p>Open this page as a user:</p>
    <ul>
      <li><code>/?token=JWT</code> with a token from <code>sio-gateway token --user 42 --jwt-secret &hellip;</code></li>
      <li><code>/?user=42</code> when the gateway runs with <code>--auth trusted</code></li>
    </ul>
    <p>Then send one: <code>notify --user 42 --type ORDER_UPDATED --payload '{"orderId":7}'</code></p>
  </section>
  <p id="empty" class="empty">No notifications yet.</p>
  <ol id="feed" class="feed" aria-live="polite"></ol>
</main>
<script src="/socket.io.min.js"></script>
<script src="/demo.js"></script>
</body>
</html>
)html";

constexpr std::string_view page_css = R"css(:root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --card: rgba(127,127,127,.08); }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin: 0; font-size: 1.5rem; }
.who { margin: .25rem 0; color: var(--muted); }
.state { display: inline-block; margin: .5rem 0 1rem; padding: .15rem .6rem; border-radius: 999px;
  font-size: .85rem; background: var(--card); }
.state::before { content: "\25CF  "; color: var(--muted); }
.state[data-state="connected"]::before { color: #16a34a; }
.state[data-state="connecting"]::before, .state[data-state="disconnected"]::before { color: #d97706; }
.state[data-state="error"]::before { color: #dc2626; }
.empty { color: var(--muted); }
.feed { list-style: none; margin: 0; padding: 0; }
.notification { margin: 0 0 .75rem; padding: .75rem 1rem; border-left: 4px solid var(--accent);
  border-radius: 6px; background: var(--card); animation: arrive .4s ease-out; }
.notification header { display: flex; justify-content: space-between; gap: 1rem; }
.notification .type { font-weight: 600; font-family: ui-monospace, monospace; }
.notification time { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.notification pre { margin: .5rem 0 0; font-size: .85rem; white-space: pre-wrap; word-break: break-word; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
@keyframes arrive { from { opacity: 0; transform: translateY(-4px); } }
)css";

// Plain JavaScript: connects with the token (or trusted user id) from the URL and renders each "notification"
// event. Untrusted text only ever goes through textContent.
constexpr std::string_view page_js = R"js("use strict";
(function () {
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token");
  const user = params.get("user");
  const stateEl = document.getElementById("state");
  const feed = document.getElementById("feed");
  const empty = document.getElementById("empty");

  function setState(state, text) {
    stateEl.dataset.state = state;
    stateEl.textContent = text;
  }

  // The user a token names (its "sub" claim), for display only: the gateway verifies the signature.
  function tokenSubject(jwt) {
    try {
      const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
      return claims.sub === undefined ? "(token without sub)" : String(claims.sub);
    } catch (e) {
      return "(unreadable token)";
    }
  }

  function formatTime(timestamp) {
    const date = new Date(timestamp);
    return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString();
  }

  function render(notification) {
    const n = notification !== null && typeof notification === "object" ? notification : { payload: notification };
    const item = document.createElement("li");
    item.className = "notification";
    item.dataset.type = String(n.type ?? "");

    const head = document.createElement("header");
    const type = document.createElement("span");
    type.className = "type";
    type.textContent = n.type === undefined ? "(no type)" : String(n.type);
    const time = document.createElement("time");
    if (typeof n.timestamp === "number") {
      time.dateTime = new Date(n.timestamp).toISOString();
      time.title = time.dateTime;
      time.textContent = formatTime(n.timestamp);
    } else {
      time.textContent = "received " + formatTime(Date.now());
    }
    head.append(type, time);
    item.append(head);

    if (n.payload !== undefined) {
      const payload = document.createElement("pre");
      payload.className = "payload";
      payload.textContent = JSON.stringify(n.payload, null, 2);
      item.append(payload);
    }
    feed.prepend(item);
    empty.hidden = true;
  }

  if (!token && !user) {
    document.getElementById("help").hidden = false;
    empty.hidden = true;
    setState("idle", "not connected: no user given");
    return;
  }
  document.getElementById("who").textContent = "user " + (token ? tokenSubject(token) : user);
  if (typeof window.io !== "function") {
    setState("error", "the socket.io client (/socket.io.min.js) did not load: start the gateway with --demo-client-js");
    return;
  }

  const socket = window.io({ auth: token ? { token: token } : { userId: user } });
  setState("connecting", "connecting\u2026");
  socket.on("connect", function () {
    const engine = socket.io.engine;
    setState("connected", "connected over " + engine.transport.name);
    engine.once("upgrade", function (transport) {
      setState("connected", "connected over " + transport.name);
    });
  });
  socket.on("disconnect", function (reason) {
    setState("disconnected", "disconnected (" + reason + ")" + (socket.active ? ", reconnecting\u2026" : ""));
  });
  socket.on("connect_error", function (err) {
    setState(socket.active ? "connecting" : "error",
      (socket.active ? "cannot connect, retrying: " : "refused: ") + err.message);
  });
  socket.on("notification", render);
})();
)js";

}  // namespace

std::optional<demo_asset> find_demo_asset(std::string_view path) {
  if (path == "/" || path == "/index.html") return demo_asset{"text/html; charset=utf-8", page_html};
  if (path == "/demo.css") return demo_asset{"text/css; charset=utf-8", page_css};
  if (path == "/demo.js") return demo_asset{"application/javascript; charset=utf-8", page_js};
  return std::nullopt;
}

}  // namespace sio::gateway::http
