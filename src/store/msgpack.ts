/**
 * A MessagePack writer for the Redis store's ingestion: arrays, strings, nil and non-negative
 * integers, the subset Redis's cmsgpack and msgpackr both read, plus bytes already encoded, copied
 * as they are. The store encodes each activity once, in the order it arrived, and assembles chunks
 * from those bytes; a general encoder would walk every activity again in bucket order (measured:
 * scattered reads of half a million activities cost more than encoding them).
 */
export class Writer {
  buf: Buffer;
  pos = 0;

  /** Writes into `into` if given (and it is large enough), else into a new buffer of `size`. */
  constructor(size = 1 << 16, into?: Buffer) {
    this.buf = into && into.length >= size ? into : Buffer.allocUnsafe(size);
  }

  /** Room for n more bytes. */
  ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  array(n: number) {
    this.ensure(5);
    const buf = this.buf;
    if (n < 16) buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      buf[this.pos] = 0xdc;
      buf.writeUInt16BE(n, this.pos + 1);
      this.pos += 3;
    } else {
      buf[this.pos] = 0xdd;
      buf.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    }
  }

  nil() {
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
  }

  /** A non-negative integer (a count, a key index). */
  uint(n: number) {
    this.ensure(9);
    const buf = this.buf;
    if (n < 0x80) buf[this.pos++] = n;
    else if (n < 0x100) {
      buf[this.pos] = 0xcc;
      buf[this.pos + 1] = n;
      this.pos += 2;
    } else if (n < 0x10000) {
      buf[this.pos] = 0xcd;
      buf.writeUInt16BE(n, this.pos + 1);
      this.pos += 3;
    } else if (n < 0x100000000) {
      buf[this.pos] = 0xce;
      buf.writeUInt32BE(n, this.pos + 1);
      this.pos += 5;
    } else {
      buf[this.pos] = 0xcb;
      buf.writeDoubleBE(n, this.pos + 1);
      this.pos += 9;
    }
  }

  /** A string as UTF-8 (str). Short ASCII strings, most of what is written, skip the native call. */
  str(s: string) {
    const n = s.length;
    this.ensure(n * 3 + 5);
    const buf = this.buf;
    const at = this.pos;
    if (n < 256) {
      const head = n < 32 ? 1 : 2;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at + head + i] = c;
      }
      if (i === n) {
        if (head === 1) buf[at] = 0xa0 | n;
        else {
          buf[at] = 0xd9;
          buf[at + 1] = n;
        }
        this.pos = at + head + n;
        return;
      }
    }
    // str32 header: the byte length is known only once written.
    const len = buf.write(s, at + 5, "utf8");
    buf[at] = 0xdb;
    buf.writeUInt32BE(len, at + 1);
    this.pos = at + 5 + len;
  }

  bool(b: boolean) {
    this.ensure(1);
    this.buf[this.pos++] = b ? 0xc3 : 0xc2;
  }

  strOrNil(s: string | null | undefined) {
    if (s === null || s === undefined) this.nil();
    else this.str(s);
  }

  /** Bytes already encoded, copied as they are. */
  raw(src: Buffer, from: number, to: number) {
    const n = to - from;
    this.ensure(n);
    // A loop beats the native copy's call for a few bytes (an id, a time), not for a tuple.
    if (n < 24) {
      const buf = this.buf;
      for (let i = 0, at = this.pos; i < n; i++) buf[at + i] = src[from + i]!;
    } else src.copy(this.buf, this.pos, from, to);
    this.pos += n;
  }

  /** Starts a str32 whose bytes follow; `close` it with the position this returned. */
  open(): number {
    this.ensure(5);
    this.buf[this.pos] = 0xdb;
    this.pos += 5;
    return this.pos;
  }

  close(start: number) {
    this.buf.writeUInt32BE(this.pos - start, start - 4);
  }

  /** What was written (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * The position right after the MessagePack value that starts at `pos`: readers step over what they
 * do not want (a bucket list entry's other members) without decoding it.
 */
export function skip(buf: Buffer, pos: number): number {
  let pending = 1;
  while (pending > 0) {
    pending--;
    const b = buf[pos++]!;
    if (b < 0x80 || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) continue;
    if (b < 0x90) pending += (b & 0x0f) * 2;
    else if (b < 0xa0) pending += b & 0x0f;
    else if (b < 0xc0) pos += b & 0x1f;
    else if (b === 0xd9 || b === 0xc4) pos += 1 + buf[pos]!;
    else if (b === 0xda || b === 0xc5) pos += 2 + buf.readUInt16BE(pos);
    else if (b === 0xdb || b === 0xc6) pos += 4 + buf.readUInt32BE(pos);
    else if (b === 0xdc || b === 0xde) {
      // array 16 / map 16: that many items (a map's come in pairs)
      pending += buf.readUInt16BE(pos) * (b === 0xde ? 2 : 1);
      pos += 2;
    } else if (b === 0xdd || b === 0xdf) {
      // array 32 / map 32
      pending += buf.readUInt32BE(pos) * (b === 0xdf ? 2 : 1);
      pos += 4;
    } else if (b === 0xcc || b === 0xd0) pos += 1;
    else if (b === 0xcd || b === 0xd1) pos += 2;
    else if (b === 0xca || b === 0xce || b === 0xd2) pos += 4;
    else if (b === 0xcb || b === 0xcf || b === 0xd3) pos += 8;
    else if (b >= 0xd4 && b <= 0xd8) pos += 1 + (1 << (b - 0xd4));
    else if (b === 0xc7) pos += 2 + buf[pos]!;
    else if (b === 0xc8) pos += 3 + buf.readUInt16BE(pos);
    else if (b === 0xc9) pos += 5 + buf.readUInt32BE(pos);
    else throw new Error(`MessagePack: unexpected byte 0x${b.toString(16)} at ${pos - 1}`);
  }
  return pos;
}

/** A string's [start, end) when a str starts at `pos` (else null). */
export function strAt(buf: Buffer, pos: number): [number, number] | null {
  const b = buf[pos]!;
  if (b >= 0xa0 && b < 0xc0) return [pos + 1, pos + 1 + (b & 0x1f)];
  if (b === 0xd9) return [pos + 2, pos + 2 + buf[pos + 1]!];
  if (b === 0xda) return [pos + 3, pos + 3 + buf.readUInt16BE(pos + 1)];
  if (b === 0xdb) return [pos + 5, pos + 5 + buf.readUInt32BE(pos + 1)];
  return null;
}

/** The number of elements of an array that starts at `pos`, and where its first element starts (else null). */
export function arrayAt(buf: Buffer, pos: number): [number, number] | null {
  const b = buf[pos]!;
  if (b >= 0x90 && b < 0xa0) return [b & 0x0f, pos + 1];
  if (b === 0xdc) return [buf.readUInt16BE(pos + 1), pos + 3];
  if (b === 0xdd) return [buf.readUInt32BE(pos + 1), pos + 5];
  return null;
}
