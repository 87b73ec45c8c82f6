/**
 * A protobuf codec driven by the ONNX schema's JSON descriptor, written out rather than
 * generated: protobufjs compiles each message's encoder and decoder with `new Function`, which a
 * page under a strict Content Security Policy (no `'unsafe-eval'`) refuses. It reads and writes
 * what protobufjs does for this schema: fields in the order of their numbers, repeated numbers
 * packed, 64-bit integers as numbers, every repeated field an array (empty when absent), and a
 * scalar at its default (0, '', false) neither written nor read back (proto3 gives it no presence).
 */
import { ONNX_SCHEMA } from './onnx-schema.js';

// In every browser, worker and Node; declared here, as the package builds without the DOM's types.
declare const TextDecoder: new (label?: string) => { decode(b: Uint8Array): string };
declare const TextEncoder: new () => { encode(s: string): Uint8Array };

interface FieldDesc {
  type: string;
  id: number;
  rule?: string;
  options?: { packed?: boolean };
}
interface TypeDesc {
  fields?: Record<string, FieldDesc>;
  values?: Record<string, number>;
  nested?: Record<string, TypeDesc>;
}

interface Field {
  name: string;
  id: number;
  /** A scalar's name, `enum`, or the message's name. */
  kind: string;
  repeated: boolean;
  packed: boolean;
}

const SCALARS = new Set(['string', 'bytes', 'float', 'double', 'int32', 'int64', 'bool']);
const NUMERIC = new Set(['float', 'double', 'int32', 'int64', 'bool', 'enum']);

/** Every message and enum of the schema by its simple name (unique in the ONNX schema). */
function index(): { messages: Map<string, Field[]>; enums: Set<string> } {
  const descs = new Map<string, TypeDesc>();
  const walk = (nested: Record<string, TypeDesc> | undefined) => {
    for (const [name, d] of Object.entries(nested ?? {})) {
      if (descs.has(name)) throw new Error(`the ONNX schema names ${name} twice`);
      descs.set(name, d);
      walk(d.nested);
    }
  };
  walk((ONNX_SCHEMA as unknown as TypeDesc).nested);
  const enums = new Set([...descs].filter(([, d]) => d.values).map(([n]) => n));
  const messages = new Map<string, Field[]>();
  for (const [name, d] of descs) {
    if (!d.fields) continue;
    const fields = Object.entries(d.fields).map(([field, f]) => {
      const kind = SCALARS.has(f.type) ? f.type : enums.has(f.type) ? 'enum' : f.type;
      if (kind === f.type && !SCALARS.has(kind) && !descs.get(kind)?.fields) {
        throw new Error(`${name}.${field} has an unknown type ${f.type}`);
      }
      const repeated = f.rule === 'repeated';
      return {
        name: field,
        id: f.id,
        kind,
        repeated,
        packed: repeated && NUMERIC.has(kind) && f.options?.packed !== false,
      };
    });
    messages.set(
      name,
      fields.sort((a, b) => a.id - b.id),
    );
  }
  return { messages, enums };
}

const { messages } = index();

// ---- reading -------------------------------------------------------------------------------

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  #need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new RangeError(`index out of range: ${this.pos} + ${n} > ${this.buf.length}`);
    }
  }
  /** A varint as a signed 64-bit value. */
  varint(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.#need(1);
      const b = this.buf[this.pos++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asIntN(64, v);
    }
    throw new Error('invalid varint encoding');
  }
  uint32(): number {
    return Number(BigInt.asUintN(32, this.varint()));
  }
  bytes(): Uint8Array {
    const n = this.uint32();
    this.#need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  float(): number {
    this.#need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  double(): number {
    this.#need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      this.#need(n);
      this.pos += n;
    } else throw new Error(`invalid wire type ${wire} at offset ${this.pos}`);
  }
}

const utf8 = new TextDecoder('utf-8');

function readScalar(r: Reader, kind: string): unknown {
  switch (kind) {
    case 'float':
      return r.float();
    case 'double':
      return r.double();
    case 'int32':
    case 'enum':
      return Number(BigInt.asIntN(32, r.varint()));
    case 'int64':
      return Number(r.varint());
    case 'bool':
      return r.varint() !== 0n;
    case 'string':
      return utf8.decode(r.bytes());
    case 'bytes':
      return r.bytes().slice();
    default:
      return readMessage(new Reader(r.bytes()), kind);
  }
}

function readMessage(r: Reader, type: string): Record<string, unknown> {
  const fields = messages.get(type)!;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f.repeated) out[f.name] = [];
  while (r.pos < r.buf.length) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const f = fields.find((x) => x.id === id);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (!f.repeated) {
      const v = readScalar(r, f.kind);
      // A proto3 scalar has no presence: its default (0, '', false, no bytes) reads as absent.
      if (v === 0 || v === '' || v === false || (v instanceof Uint8Array && !v.length)) {
        delete out[f.name];
      } else out[f.name] = v;
      continue;
    }
    const list = out[f.name] as unknown[];
    if (wire === 2 && NUMERIC.has(f.kind)) {
      const packed = new Reader(r.bytes());
      while (packed.pos < packed.buf.length) list.push(readScalar(packed, f.kind));
    } else list.push(readScalar(r, f.kind));
  }
  return out;
}

/** Reads the bytes of a message of `type` (`ModelProto`...) into plain objects. */
export function decodeMessage(type: string, bytes: Uint8Array): Record<string, unknown> {
  if (!messages.has(type)) throw new Error(`no message ${type} in the ONNX schema`);
  return readMessage(new Reader(bytes), type);
}

// ---- writing -------------------------------------------------------------------------------

class Writer {
  parts: number[] = [];
  chunks: Uint8Array[] = [];
  length = 0;
  #flush(): void {
    if (!this.parts.length) return;
    this.chunks.push(Uint8Array.from(this.parts));
    this.length += this.parts.length;
    this.parts = [];
  }
  varint(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    while (u >= 0x80n) {
      this.parts.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.parts.push(Number(u));
  }
  tag(id: number, wire: number): void {
    this.varint(BigInt((id << 3) | wire));
  }
  raw(b: Uint8Array): void {
    this.#flush();
    this.chunks.push(b);
    this.length += b.length;
  }
  delimited(b: Uint8Array): void {
    this.varint(BigInt(b.length));
    this.raw(b);
  }
  fixed(bytes: number, set: (v: DataView) => void): void {
    const b = new Uint8Array(bytes);
    set(new DataView(b.buffer));
    this.raw(b);
  }
  finish(): Uint8Array {
    this.#flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const utf8Encode = new TextEncoder();

function check(ok: boolean, path: string, expected: string): void {
  if (!ok) throw new Error(`${path}: ${expected} expected`);
}

function isInteger(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/** Writes one value without its tag (its wire type is the caller's). */
function writeValue(w: Writer, kind: string, v: unknown, path: string): void {
  switch (kind) {
    case 'float':
      check(typeof v === 'number', path, 'number');
      w.fixed(4, (d) => d.setFloat32(0, v as number, true));
      return;
    case 'double':
      check(typeof v === 'number', path, 'number');
      w.fixed(8, (d) => d.setFloat64(0, v as number, true));
      return;
    case 'int32':
    case 'enum':
      check(isInteger(v), path, 'integer');
      w.varint(BigInt.asIntN(32, BigInt(v as number)));
      return;
    case 'int64':
      check(isInteger(v), path, 'integer|Long');
      w.varint(BigInt(v as number));
      return;
    case 'bool':
      check(typeof v === 'boolean', path, 'boolean');
      w.varint(v ? 1n : 0n);
      return;
    case 'string':
      check(typeof v === 'string', path, 'string');
      w.delimited(utf8Encode.encode(v as string));
      return;
    case 'bytes':
      check(v instanceof Uint8Array, path, 'buffer');
      w.delimited(v as Uint8Array);
      return;
    default:
      check(typeof v === 'object' && v !== null, path, `${kind}`);
      w.delimited(writeMessage(kind, v as Record<string, unknown>, path));
      return;
  }
}

const wireOf = (kind: string) =>
  kind === 'float' ? 5 : kind === 'double' ? 1 : NUMERIC.has(kind) ? 0 : 2;

function writeMessage(type: string, m: Record<string, unknown>, path: string): Uint8Array {
  const w = new Writer();
  for (const f of messages.get(type)!) {
    const v = m[f.name];
    if (v === undefined || v === null) continue;
    const at = `${path}.${f.name}`;
    if (!f.repeated) {
      // Nor is a scalar at its default written (proto3: absent and default are one).
      if (v === 0 || v === '' || v === false || (v instanceof Uint8Array && !v.length)) continue;
      w.tag(f.id, wireOf(f.kind));
      writeValue(w, f.kind, v, at);
      continue;
    }
    check(Array.isArray(v) || ArrayBuffer.isView(v), at, 'array');
    const list = Array.from(v as ArrayLike<unknown>);
    if (!list.length) continue;
    if (f.packed) {
      const inner = new Writer();
      list.forEach((x, i) => {
        writeValue(inner, f.kind, x, `${at}[${i}]`);
      });
      w.tag(f.id, 2);
      w.delimited(inner.finish());
    } else {
      list.forEach((x, i) => {
        w.tag(f.id, wireOf(f.kind));
        writeValue(w, f.kind, x, `${at}[${i}]`);
      });
    }
  }
  return w.finish();
}

/**
 * Writes `message` (plain objects, as {@link decodeMessage} reads them) as a message of `type`.
 * @throws {Error} naming the field whose value has the wrong type.
 */
export function encodeMessage(type: string, message: Record<string, unknown>): Uint8Array {
  if (!messages.has(type)) throw new Error(`no message ${type} in the ONNX schema`);
  return writeMessage(type, message, type);
}
