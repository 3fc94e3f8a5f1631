import fc from "fast-check";
import { Packr, unpack } from "msgpackr";
import { describe, expect, it } from "vitest";
import { arrayAt, skip, strAt, Writer } from "../../src/store/msgpack.js";

const plain = new Packr({ useRecords: false, variableMapSize: true });
/** What the Redis store writes: arrays of strings, nulls and non-negative integers. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.constant(null),
    fc.nat(),
    fc.integer({ min: 0, max: 2 ** 40 }),
  ),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 20 })),
})).node;

function write(w: Writer, v: unknown) {
  if (v === null) w.nil();
  else if (typeof v === "number") w.uint(v);
  else if (typeof v === "string") w.str(v);
  else {
    const list = v as unknown[];
    w.array(list.length);
    for (const x of list) write(w, x);
  }
}

describe("MessagePack writer (Redis ingestion)", () => {
  it("writes what msgpackr reads back, strings of any length and script included", () => {
    fc.assert(
      fc.property(value, (v) => {
        const w = new Writer(8);
        write(w, v);
        expect(unpack(w.bytes())).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it("copies encoded bytes as they are, short or long", () => {
    const src = plain.pack(["id-1", "x".repeat(1000)]);
    const w = new Writer(4);
    w.array(4);
    w.raw(src, 1, src.length);
    w.raw(src, 1, src.length);
    expect(unpack(w.bytes())).toEqual(["id-1", "x".repeat(1000), "id-1", "x".repeat(1000)]);
    expect(w.pos).toBe(1 + 2 * (src.length - 1));
  });
});

describe("MessagePack skipping (reading one member of a bucket)", () => {
  it("steps over any value msgpackr writes, to its last byte", () => {
    const anything = fc.anything({
      withBigInt: false,
      withMap: false,
      withSet: false,
      withTypedArray: false,
      withDate: false,
      withNullPrototype: false,
      withSparseArray: false,
      withObjectString: false,
      withBoxedValues: false,
    });
    fc.assert(
      fc.property(anything, fc.double(), (v, d) => {
        const buf = plain.pack([v, d, "after"]);
        const [count, first] = arrayAt(buf, 0)!;
        expect(count).toBe(3);
        const second = skip(buf, first);
        const third = skip(buf, second);
        const [from, to] = strAt(buf, third)!;
        expect(buf.toString("utf8", from, to)).toBe("after");
        expect(skip(buf, 0)).toBe(buf.length);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses bytes that are not MessagePack instead of looping", () => {
    expect(() => skip(Buffer.from([0xc1]), 0)).toThrow(/unexpected byte 0xc1/);
  });
});
