// notify --confirm / --acks / --fallback, notify sockets and notify server-emit --acks against 2 Node Socket.IO servers
// on createShardedAdapter (subscriptionMode "dynamic") on one Redis (PROTOCOL.md §8.6; the cases: confirm-cases.mjs).
import { confirmSuite, sharded } from "./confirm-cases.mjs";

confirmSuite("node sharded dynamic", ["node", "node"], sharded("dynamic"));
