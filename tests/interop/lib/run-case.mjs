// One case of a cases file (the format of conformance-cases.json) as application code: shared by the emitter's
// reference (conformance-node.mjs) and the adapters' (adapter-reference-node.mjs), so both read a case alike.

// JSON.parse(args_json), then {"$bin":"hex"} -> Buffer and {"$date":ms} -> Date, anywhere in the tree.
export function buildArgs(argsJson) {
  const args = JSON.parse(argsJson);
  if (!Array.isArray(args)) throw new Error(`args_json is not an array: ${argsJson.slice(0, 80)}`);
  return args.map(replaceMarkers);
}

function replaceMarkers(v) {
  if (Array.isArray(v)) return v.map(replaceMarkers);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin" && typeof v.$bin === "string") return Buffer.from(v.$bin, "hex");
    if (keys.length === 1 && keys[0] === "$date" && typeof v.$date === "number") return new Date(v.$date);
    // Rebuild in place so JSON.parse's property order (and __proto__ as an own key) is kept.
    for (const k of keys) {
      Object.defineProperty(v, k, { value: replaceMarkers(v[k]), enumerable: true, writable: true, configurable: true });
    }
    return v;
  }
  return v;
}

// Applies case `c` to `start` (an Emitter, or a socket.io Namespace): its BroadcastOperator chain, then its
// operation. serverSideEmit takes no chain, so it runs on `start` itself; `noChain` says why in the caller's words.
export function applyCase(start, c, { noChain }) {
  let target = start;
  for (const [call, arg] of c.chain ?? []) {
    if (call === "to" || call === "in" || call === "except") target = target[call](arg);
    else if (call === "volatile") target = target.volatile;
    else if (call === "compress") target = target.compress(arg);
    else throw new Error(`case ${c.name}: unknown chain call ${call}`);
  }
  switch (c.op) {
    case "emit":
      target.emit(c.event, ...buildArgs(c.args_json ?? "[]"));
      break;
    case "socketsJoin":
      target.socketsJoin(c.rooms);
      break;
    case "socketsLeave":
      target.socketsLeave(c.rooms);
      break;
    case "disconnectSockets":
      if (c.close === undefined) target.disconnectSockets();
      else target.disconnectSockets(c.close);
      break;
    case "serverSideEmit":
      if ((c.chain ?? []).length) throw new Error(`case ${c.name}: serverSideEmit ${noChain}`);
      start.serverSideEmit(c.event, ...buildArgs(c.args_json ?? "[]"));
      break;
    default:
      throw new Error(`case ${c.name}: unknown op ${c.op}`);
  }
}
