// A plain HTTP request for the tests, to 127.0.0.1 only.
import { request } from "node:http";

// One HTTP request to 127.0.0.1:port; resolves { status, headers, body (a string), bodyBuffer (bytes) }, rejects on
// a socket error or after timeoutMs. No keep-alive unless an `agent` is given.
export function http(port, { method = "GET", path = "/", headers = {}, body, agent = false, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => {
        clearTimeout(timer);
        const bodyBuffer = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: bodyBuffer.toString("utf8"), bodyBuffer });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} ${path}: no response within ${timeoutMs} ms`)),
      timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}
