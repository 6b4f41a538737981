// notify --confirm / --acks / --fallback, notify sockets and notify server-emit --acks against 2 Node Socket.IO servers (tests/interop/server.mjs) on one Redis
// (the cases: confirm-cases.mjs).
import { confirmSuite } from "./confirm-cases.mjs";

confirmSuite("node", ["node", "node"]);
