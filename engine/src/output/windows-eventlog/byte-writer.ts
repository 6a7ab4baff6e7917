import { guidToBytes } from "./guid";

/**
 * A growable little-endian byte buffer for the compiled resources (WEVT_TEMPLATE, message
 * table): built once per package, so clarity beats speed here.
 */
export class ByteWriter {
  private bytes = Buffer.alloc(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = Buffer.alloc(Math.max(this.bytes.length * 2, this.length + n));
    this.bytes.copy(next, 0, 0, this.length);
    this.bytes = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes.writeUInt8(value, this.length++);
  }

  u16(value: number): void {
    this.reserve(2);
    this.bytes.writeUInt16LE(value, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.bytes.writeUInt32LE(value >>> 0, this.length);
    this.length += 4;
  }

  u64(value: bigint): void {
    this.reserve(8);
    this.bytes.writeBigUInt64LE(value, this.length);
    this.length += 8;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    this.bytes.write(text, this.length, "latin1");
    this.length += text.length;
  }

  utf16(text: string): void {
    this.reserve(text.length * 2);
    this.bytes.write(text, this.length, "utf16le");
    this.length += text.length * 2;
  }

  guid(text: string): void {
    this.reserve(16);
    guidToBytes(text, this.bytes, this.length);
    this.length += 16;
  }

  bytesFrom(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  align(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }

  /** Overwrites a u32 written earlier (an offset or size known only later). */
  patchU32(at: number, value: number): void {
    this.bytes.writeUInt32LE(value >>> 0, at);
  }

  /** Writes a u32 placeholder and returns a function that fills it with the bytes written since. */
  sizeField(): () => void {
    const at = this.length;
    this.u32(0);
    return () => this.patchU32(at, this.length - at - 4);
  }

  done(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.length));
  }
}
