// The demo page in a real browser: headless Chromium (/usr/bin/chromium, driven by playwright-core) opens
// sio-gateway's page as user 42 with a JWT; `notify` for user 42 appears in the page's feed, one for user 7 never
// does, and a page with a forged token shows the refusal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createHmac } from "node:crypto";
import { Harness, DEMO_CLIENT_JS, load, sleep } from "../gateway/e2e/harness.mjs";
import { run } from "../interop/lib/proc.mjs";

const CHROMIUM = process.env.SIO_CHROMIUM ?? "/usr/bin/chromium";
const SECRET = "browser-test-secret-0123456789";
const h = new Harness();
let gateway;
let browser;

// `sio-gateway token --user ID`: the same command the demo and developers use.
async function token(user) {
  const r = await run(h.gatewayPath, ["token", "--user", user, "--ttl", "10m", "--jwt-secret", SECRET], { timeoutMs: 10000 });
  assert.equal(r.code, 0, `sio-gateway token exit ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

// Opens the demo page and waits until it shows "connected" (or fails with what the page shows).
async function openPage(query, { expectState = "connected" } = {}) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  await page.goto(`${gateway.url}/?${query}`);
  try {
    await page.waitForSelector(`#state[data-state="${expectState}"]`, { timeout: 10000 });
  } catch (e) {
    const shown = await page.textContent("#state").catch(() => "?");
    throw new Error(`page state "${shown}", expected ${expectState}; ${problems.join("; ")}`);
  }
  return { page, problems };
}

const feed = (page) =>
  page.$$eval("#feed .notification", (items) =>
    items.map((li) => ({
      type: li.querySelector(".type").textContent,
      payload: li.querySelector(".payload")?.textContent,
      time: li.querySelector("time").getAttribute("datetime"),
    })),
  );

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup (Debian package chromium)`);
  await h.start();
  // The page needs the socket.io-client bundle: given explicitly (the gateway has no compiled-in path to it).
  if (!existsSync(DEMO_CLIENT_JS)) throw new Error(`${DEMO_CLIENT_JS} not found: run scripts/setup (npm ci in tests/interop)`);
  gateway = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET, "--demo-client-js", DEMO_CLIENT_JS] });
  const { chromium } = load("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  if (browser) await browser.close();
  await h.close();
});

test("a notification for user 42 appears in user 42's feed with its type, payload and time", async () => {
  const { page, problems } = await openPage(`token=${await token("42")}`);
  assert.equal(await page.textContent("#who"), "user 42");
  assert.deepEqual(await feed(page), []);

  await h.notify(["--user", "42", "--type", "ORDER_UPDATED", "--payload", '{"orderId":7}', "--timestamp", "1764336000000"]);
  await page.waitForSelector("#feed .notification", { timeout: 5000 });
  assert.deepEqual(await feed(page), [
    { type: "ORDER_UPDATED", payload: JSON.stringify({ orderId: 7 }, null, 2), time: "2025-11-28T13:20:00.000Z" },
  ]);
  assert.equal(await page.isVisible("#empty"), false);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a notification for user 7 does not appear in user 42's feed; the next one for 42 does", async () => {
  const { page } = await openPage(`token=${await token("42")}`);
  await h.notify(["--user", "7", "--type", "FOR_SEVEN"]);
  // Then one for 42: once it is shown, the one for 7 (published first, same path) would have been too.
  await h.notify(["--user", "42", "--type", "FOR_FORTY_TWO"]);
  await page.waitForSelector('#feed .notification[data-type="FOR_FORTY_TWO"]', { timeout: 5000 });
  await sleep(300);
  assert.deepEqual((await feed(page)).map((n) => n.type), ["FOR_FORTY_TWO"]);
  await page.close();
});

test("a page with a token signed by another secret shows the refusal and no feed", async () => {
  const b64url = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const body = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "42", exp: Math.floor(Date.now() / 1000) + 600 })}`;
  const forged = `${body}.${createHmac("sha256", "not-the-secret").update(body).digest("base64url")}`;
  const { page } = await openPage(`token=${forged}`, { expectState: "error" });
  assert.match(await page.textContent("#state"), /^refused: /);
  await h.notify(["--user", "42", "--type", "NOT_FOR_FORGED"]);
  await sleep(300);
  assert.deepEqual(await feed(page), []);
  await page.close();
});
