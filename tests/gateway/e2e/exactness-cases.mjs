// The published messages of the exactness suite. Each case publishes once to room `room` of "/", either through
// the real Node emitter (`emit(emitter, room)`) or as raw classic-adapter msgpack (`raw`: the hex of the packet's
// `data`, for encodings the emitter never produces but a Node server still decodes, PROTOCOL.md §6.4/§6.5).
import { load } from "./harness.mjs";

const big = (hex) => hex.replace(/\s+/g, "");

export const CASES = [
  {
    name: "strings: JSON escapes, control characters, DEL, unicode, U+2028/2029, emoji",
    emit: (io, room) =>
      io.to(room).emit("text", "a\"b\\c/d\n\r\t\b\f\u0001\u001f\u007f é € 😀 \u2028\u2029", "", "x".repeat(300), "日本語"),
  },
  {
    name: "integers: fixints, uint/int widths, 2^53 neighbours, -0, wrap of 1e20 (notepack uint64)",
    emit: (io, room) =>
      io.to(room).emit("ints", 0, -0, 127, 128, 255, 256, 65535, 65536, 2 ** 32, -1, -32, -33, -129, -32769, -(2 ** 31) - 1,
        2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 1e20, 12345678901234567890),
  },
  {
    name: "floats: shortest round-trip, exponents, extremes, NaN and Infinity as null",
    emit: (io, room) =>
      io.to(room).emit("floats", 1.1, -1.5, 0.1 + 0.2, 1e-7, 1.5e-7, 0.000001, 5e-324, 1.7976931348623157e308, 123456.789,
        -2.5e-300, 1 / 3, NaN, Infinity, -Infinity),
  },
  {
    name: "raw msgpack: uint64 2^60, int64 -2^60, float32 1.1",
    raw: big("94 a4 6e 75 6d 73 cf 10 00 00 00 00 00 00 00 d3 f0 00 00 00 00 00 00 00 ca 3f 8c cc cd"),
  },
  {
    name: "objects: integer-like keys in JS order, nested, empty",
    emit: (io, room) =>
      io.to(room).emit("objects", { b: 1, 2: 2, a: 3, 1: 4, 4294967295: 5, 4294967294: 6, "01": 7, "-1": 8, "1.5": 9,
        nested: { 10: "ten", 9: "nine", z: { 0: [], "": {} } } }, {}, [], [[[]]], [1, [2, [3, { k: [null] }]]]),
  },
  {
    name: "raw msgpack: map keys out of JS order, duplicate key (last wins), integer-like keys",
    // ["dup", {"b":1,"2":2,"a":1,"a":2,"10":3,"1":4}]
    raw: big("92 a3 64 75 70 86 a1 62 01 a1 32 02 a1 61 01 a1 61 02 a2 31 30 03 a1 31 04"),
  },
  {
    name: "null, booleans and undefined-free arrays",
    emit: (io, room) => io.to(room).emit("consts", null, true, false, [null, true, false], { n: null, t: true }),
  },
  {
    name: "Dates: ms precision, epoch, before 1970, far future (timestamp ext -1)",
    emit: (io, room) =>
      io.to(room).emit("dates", new Date(1700000000123), new Date(0), new Date(-1), new Date(1700000000000),
        new Date(8640000000000000), { at: new Date(1234567890123) }),
  },
  {
    name: "raw msgpack: legacy notepack 2.x Date (ext 0 int64 ms) and undefined (d4 00 00)",
    // ["legacy", d7 00 <1700000000123 as int64>, d4 00 00]
    raw: big("93 a6 6c 65 67 61 63 79 d7 00 00 00 01 8b cf e5 68 7b d4 00 00"),
  },
  {
    name: "binary: a Buffer, an empty Buffer, Buffers nested in objects and arrays",
    emit: (io, room) =>
      io.to(room).emit("bin", Buffer.from([0xde, 0xad, 0xbe, 0xef]), Buffer.alloc(0),
        { k: Buffer.from([0x0a, 0x0b]), list: [Buffer.from("hello"), { deep: Buffer.from([0, 255, 128]) }] }),
  },
  {
    name: "binary: a 70000-byte Buffer (bin32 length) and text around it",
    emit: (io, room) => io.to(room).emit("bigbin", "before", Buffer.alloc(70000, 0x5a), "after"),
  },
  {
    name: "raw msgpack: other ext type (ext 5) becomes [type, Buffer]",
    raw: big("92 a3 65 78 74 d5 05 01 02"),
  },
  {
    name: "raw msgpack: a number as event name",
    raw: big("92 2a 01"),
  },
  {
    name: "a notification as notify sends it (event name, nested payload, timestamp)",
    emit: (io, room) =>
      io.to(room).emit("notification", { type: "ORDER_UPDATED", payload: { orderId: 7, items: [{ sku: "A-1", qty: 2 }], note: "über \"fast\"" }, timestamp: 1700000000000 }),
  },
];

// The classic-adapter message for a raw `data` (msgpack hex): [uid, {type:2, data, nsp}, {rooms, except, flags}],
// byte-for-byte the layout of the emitter (PROTOCOL.md §1.3) with the data spliced in.
export function rawMessage(dataHex, { nsp = "/", rooms = [], uid = "e2e-raw" } = {}) {
  const { encode } = load("notepack.io");
  const e = (v) => Buffer.from(encode(v));
  return Buffer.concat([
    Buffer.from([0x93]),
    e(uid),
    Buffer.from([0x83]),
    e("type"),
    e(2),
    e("data"),
    Buffer.from(dataHex, "hex"),
    e("nsp"),
    e(nsp),
    e({ rooms, except: [], flags: {} }),
  ]);
}
