// notify --confirm / --acks / --fallback, notify sockets and notify server-emit --acks against 2 sio-gateways on one Redis
// (the cases: confirm-cases.mjs).
import { confirmSuite } from "./confirm-cases.mjs";

confirmSuite("gateways", ["gateway", "gateway"]);
