// notify --confirm / --acks / --fallback, notify sockets and notify server-emit --acks against 1 Node Socket.IO
// server (A) + 1 sio-gateway (B) on one Redis (the cases: confirm-cases.mjs).
import { confirmSuite } from "./confirm-cases.mjs";

confirmSuite("mixed", ["node", "gateway"]);
