// Reading the binary encodings of spec section 3: big-endian integers and length-prefixed
// fields, failing with the encoding's own truncation error.

/** An error the spec names; `code` is that name. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    why: string,
  ) {
    super(why);
  }
}

// ignoreBOM keeps a leading U+FEFF in the text, where the text rules refuse it.
export const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Reader {
  private at = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly truncated: () => Error,
  ) {}
  take(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw this.truncated();
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    const b = this.take(2);
    return (b[0]! << 8) | b[1]!;
  }
  u32(): number {
    const b = this.take(4);
    return ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!);
  }
  /** A u64 as a number: exact below 2^53, which every time and hour here is. */
  u64(): number {
    const b = this.take(8);
    return Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0));
  }
  get offset(): number {
    return this.at;
  }
  get rest(): number {
    return this.b.length - this.at;
  }
}
