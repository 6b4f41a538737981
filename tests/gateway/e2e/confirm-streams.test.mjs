// notify --confirm / --acks / --fallback, notify sockets and notify server-emit --acks against 2 Node Socket.IO servers
// on @socket.io/redis-streams-adapter on one Redis (PROTOCOL.md §8.7; the cases: confirm-cases.mjs).
import { confirmSuite, STREAMS } from "./confirm-cases.mjs";

confirmSuite("node streams", ["node", "node"], STREAMS);
