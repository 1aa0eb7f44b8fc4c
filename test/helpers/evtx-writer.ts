/**
 * A small EVTX writer for tests: file header, 64 KiB chunks with correct CRC32s, Binary XML
 * templates (defined inline at first use in a chunk, then referenced by offset, as Windows
 * does), template instances with substitution values, names shared within a chunk, and the
 * damage and leftovers the scanner must cope with (bad magic, bad checksums, record sizes that
 * run past the chunk, dirty headers that under-count chunks, truncation, records in slack and
 * in chunks whose header was wiped). Layout after the libevtx documentation.
 */

import { crc32 } from "node:zlib";
import { VALUE_TYPE } from "../../src/formats/evtx/values.js";

export { VALUE_TYPE };

/** Pieces of text content or of an attribute value. */
export type Piece =
  | { kind: "text"; text: string }
  | { kind: "sub"; id: number; type: number; optional: boolean }
  | { kind: "charref"; code: number }
  | { kind: "entity"; name: string }
  | { kind: "cdata"; text: string };

/** An element of a template or of a Binary XML value. */
export interface ElementNode {
  kind: "element";
  name: string;
  attributes: [string, Piece[]][];
  children: (ElementNode | Piece)[];
}

/** Builds an element; attribute values may be a plain string (literal text) or pieces. */
export function el(
  name: string,
  attributes: Record<string, string | Piece | Piece[]> = {},
  ...children: (ElementNode | Piece | string)[]
): ElementNode {
  const attrs: [string, Piece[]][] = Object.entries(attributes).map(([key, value]) => [
    key,
    typeof value === "string" ? [text(value)] : Array.isArray(value) ? value : [value],
  ]);
  return {
    kind: "element",
    name,
    attributes: attrs,
    children: children.map((c) => (typeof c === "string" ? text(c) : c)),
  };
}

/** Literal text. */
export function text(s: string): Piece {
  return { kind: "text", text: s };
}
/** Normal (or optional) substitution of value `id`. */
export function sub(id: number, type: number, optional = false): Piece {
  return { kind: "sub", id, type, optional };
}
/** `&#code;` */
export function charref(code: number): Piece {
  return { kind: "charref", code };
}
/** `&name;` */
export function entity(name: string): Piece {
  return { kind: "entity", name };
}
/** CDATA section. */
export function cdata(s: string): Piece {
  return { kind: "cdata", text: s };
}

/** One substitution value: its type and bytes, or a Binary XML fragment written in place. */
export type Value = { type: number; bytes: Uint8Array } | { type: typeof VALUE_TYPE.BINXML; fragment: ElementNode };

function le(size: number, write: (dv: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  write(new DataView(bytes.buffer));
  return bytes;
}

function utf16(s: string): Uint8Array {
  const bytes = new Uint8Array(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    bytes[2 * i] = s.charCodeAt(i) & 0xff;
    bytes[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return bytes;
}

/** FILETIME ticks from an ISO time with up to 7 fraction digits (`2021-12-04T21:10:40.7235999Z`). */
export function filetimeOf(iso: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?Z$/.exec(iso);
  if (m === null) throw new Error(`bad time ${iso}`);
  const seconds = BigInt(Date.parse(`${m[1]}Z`) / 1000);
  return (seconds + 11644473600n) * 10_000_000n + BigInt((m[2] ?? "").padEnd(7, "0"));
}

/** The 16 little-endian bytes of a GUID written `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`. */
export function guidBytes(g: string): Uint8Array {
  const hex = g.replace(/[{}-]/g, "");
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i] as number);
}

/** Substitution value builders. */
export const v = {
  string: (s: string): Value => ({ type: VALUE_TYPE.STRING, bytes: utf16(s) }),
  ansi: (s: string): Value => ({ type: VALUE_TYPE.ANSI_STRING, bytes: Uint8Array.from(s, (c) => c.charCodeAt(0)) }),
  stringArray: (items: string[]): Value => ({
    type: VALUE_TYPE.STRING | VALUE_TYPE.ARRAY,
    bytes: utf16(items.map((s) => `${s}\0`).join("")),
  }),
  u8: (n: number): Value => ({ type: VALUE_TYPE.UINT8, bytes: Uint8Array.of(n) }),
  u16: (n: number): Value => ({ type: VALUE_TYPE.UINT16, bytes: le(2, (dv) => dv.setUint16(0, n, true)) }),
  u32: (n: number): Value => ({ type: VALUE_TYPE.UINT32, bytes: le(4, (dv) => dv.setUint32(0, n, true)) }),
  u64: (n: bigint): Value => ({ type: VALUE_TYPE.UINT64, bytes: le(8, (dv) => dv.setBigUint64(0, n, true)) }),
  hex64: (n: bigint): Value => ({ type: VALUE_TYPE.HEX_INT64, bytes: le(8, (dv) => dv.setBigUint64(0, n, true)) }),
  filetime: (iso: string): Value => ({
    type: VALUE_TYPE.FILETIME,
    bytes: le(8, (dv) => dv.setBigUint64(0, filetimeOf(iso), true)),
  }),
  guid: (g: string): Value => ({ type: VALUE_TYPE.GUID, bytes: guidBytes(g) }),
  sid: (s: string): Value => {
    const [, revision, authority, ...subs] = s.split("-").map(Number);
    const bytes = new Uint8Array(8 + 4 * subs.length);
    const dv = new DataView(bytes.buffer);
    bytes[0] = revision as number;
    bytes[1] = subs.length;
    dv.setUint16(2, Math.floor((authority as number) / 2 ** 32));
    dv.setUint32(4, (authority as number) >>> 0);
    subs.forEach((n, i) => {
      dv.setUint32(8 + 4 * i, n, true);
    });
    return { type: VALUE_TYPE.SID, bytes };
  },
  null: (): Value => ({ type: VALUE_TYPE.NULL, bytes: new Uint8Array(0) }),
  binxml: (fragment: ElementNode): Value => ({ type: VALUE_TYPE.BINXML, fragment }),
  raw: (type: number, bytes: Uint8Array): Value => ({ type, bytes }),
};

/** A template: its GUID and its element tree (with substitutions). */
export interface TemplateSpec {
  guid: string;
  root: ElementNode;
  /** Write element starts without the dependency identifier (seen in some real files). */
  withoutDependencyIds?: boolean;
}

/** One record. */
export interface RecordSpec {
  template: TemplateSpec;
  values: Value[];
  id?: bigint;
  /** Written time (FILETIME ticks); 0 by default, as in exported logs. */
  written?: bigint;
  /**
   * Grow the string value at this index (inserting `x` at its start) and pad after the
   * end-of-stream token so that the record ends exactly at the chunk's end.
   */
  fillToChunkEnd?: { valueIndex: number };
}

/**
 * Damage applied after the checksums are computed (or, for a size, before). "torn": the last
 * live record's second half zeroed, as a copy of a log being written leaves the chunk being
 * written (its header counts the record, its bytes are half there).
 */
export type ChunkDamage = "magic" | "header-crc" | "records-crc" | "record-size" | "torn";

/** One chunk slot. */
export interface ChunkSpec {
  records: RecordSpec[];
  /** Records written after the free space offset (slack): not live, found only by carving. */
  slack?: RecordSpec[];
  damage?: ChunkDamage;
  /** Index of the record whose size is made to run past the chunk ("record-size" damage). */
  damagedRecord?: number;
  /** Set the free space offset to the chunk's end, leaving zero bytes after the last record. */
  freeSpaceAtChunkEnd?: boolean;
  /** Wipe the 512-byte header after writing (its records left for carving; named as damage). */
  wipeHeader?: boolean;
  /** An all-zero slot (preallocated, unused). */
  empty?: boolean;
}

/** A whole file. */
export interface EvtxSpec {
  chunks: ChunkSpec[];
  /** Header flag 0x1, and a header that under-counts the chunks (as live logs do). */
  dirty?: boolean;
  /** Cut the file to this many bytes. */
  truncateTo?: number;
}

const CHUNK_SIZE = 65536;

/** UTF-16 name hash as in EVTX name records (hash = hash * 65599 + unit, low 16 bits). */
function nameHash(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (Math.imul(hash, 65599) + name.charCodeAt(i)) >>> 0;
  return hash & 0xffff;
}

class ChunkWriter {
  readonly bytes = new Uint8Array(CHUNK_SIZE);
  private readonly dv = new DataView(this.bytes.buffer);
  pos = 512;
  names = new Map<string, number>();
  templates = new Map<TemplateSpec, number>();
  private templateIds = new Map<TemplateSpec, number>();

  private u8(n: number): void {
    this.need(1);
    this.bytes[this.pos++] = n;
  }
  private u16(n: number): void {
    this.need(2);
    this.dv.setUint16(this.pos, n, true);
    this.pos += 2;
  }
  private u32(n: number): void {
    this.need(4);
    this.dv.setUint32(this.pos, n, true);
    this.pos += 4;
  }
  private put(b: Uint8Array): void {
    this.need(b.length);
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }
  private need(n: number): void {
    if (this.pos + n > CHUNK_SIZE) throw new RangeError("chunk full");
  }
  patch32(at: number, n: number): void {
    this.dv.setUint32(at, n, true);
  }

  /** A name reference: inline at first use in this chunk, then by offset. */
  private name(name: string): void {
    const known = this.names.get(name);
    if (known !== undefined) {
      this.u32(known);
      return;
    }
    const at = this.pos + 4;
    this.u32(at);
    this.names.set(name, at);
    this.u32(0);
    this.u16(nameHash(name));
    this.u16(name.length);
    this.put(utf16(name));
    this.u16(0);
  }

  private piece(p: Piece, more: boolean): void {
    const flag = more ? 0x40 : 0;
    switch (p.kind) {
      case "text":
        this.u8(0x05 | flag);
        this.u8(VALUE_TYPE.STRING);
        this.u16(p.text.length);
        this.put(utf16(p.text));
        break;
      case "sub":
        this.u8(p.optional ? 0x0e : 0x0d);
        this.u16(p.id);
        this.u8(p.type);
        break;
      case "charref":
        this.u8(0x08 | flag);
        this.u16(p.code);
        break;
      case "entity":
        this.u8(0x09 | flag);
        this.name(p.name);
        break;
      case "cdata":
        this.u8(0x07 | flag);
        this.u16(p.text.length);
        this.put(utf16(p.text));
        break;
    }
  }

  element(node: ElementNode, dependencyIds: boolean): void {
    this.u8(node.attributes.length > 0 ? 0x41 : 0x01);
    if (dependencyIds) this.u16(0xffff);
    const sizeAt = this.pos;
    this.u32(0);
    this.name(node.name);
    if (node.attributes.length > 0) {
      const listAt = this.pos;
      this.u32(0);
      node.attributes.forEach(([name, pieces], i) => {
        this.u8(i < node.attributes.length - 1 ? 0x46 : 0x06);
        this.name(name);
        pieces.forEach((p, j) => {
          this.piece(p, j < pieces.length - 1);
        });
      });
      this.patch32(listAt, this.pos - listAt - 4);
    }
    if (node.children.length === 0) this.u8(0x03);
    else {
      this.u8(0x02);
      node.children.forEach((c, i) => {
        if (c.kind === "element") this.element(c, dependencyIds);
        else this.piece(c, i < node.children.length - 1 && node.children[i + 1]?.kind !== "element");
      });
      this.u8(0x04);
    }
    this.patch32(sizeAt, this.pos - sizeAt - 4);
  }

  private fragment(root: ElementNode, dependencyIds: boolean): void {
    this.put(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
    this.element(root, dependencyIds);
    this.u8(0x00);
  }

  /** Writes one record at the current position; returns its offset. */
  record(spec: RecordSpec, id: bigint, padTo?: number): number {
    const start = this.pos;
    this.u32(0x2a2a);
    this.u32(0);
    this.dv.setBigUint64(this.pos, id, true);
    this.pos += 8;
    this.dv.setBigUint64(this.pos, spec.written ?? 0n, true);
    this.pos += 8;
    this.put(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
    this.u8(0x0c);
    this.u8(0x01);
    let templateId = this.templateIds.get(spec.template);
    if (templateId === undefined) {
      templateId = 0x1000 + this.templateIds.size;
      this.templateIds.set(spec.template, templateId);
    }
    this.u32(templateId);
    const known = this.templates.get(spec.template);
    if (known !== undefined) this.u32(known);
    else {
      const at = this.pos + 4;
      this.u32(at);
      this.templates.set(spec.template, at);
      this.u32(0);
      this.put(guidBytes(spec.template.guid));
      const sizeAt = this.pos;
      this.u32(0);
      this.fragment(spec.template.root, spec.template.withoutDependencyIds !== true);
      this.patch32(sizeAt, this.pos - sizeAt - 4);
    }
    this.u32(spec.values.length);
    const descriptorsAt = this.pos;
    for (let i = 0; i < spec.values.length; i++) this.u32(0);
    spec.values.forEach((value, i) => {
      const valueAt = this.pos;
      if ("fragment" in value) this.fragment(value.fragment, false);
      else this.put(value.bytes);
      this.dv.setUint16(descriptorsAt + 4 * i, this.pos - valueAt, true);
      this.bytes[descriptorsAt + 4 * i + 2] = value.type;
    });
    this.u8(0x00);
    const target = padTo ?? start + ((this.pos - start + 4 + 7) & ~7) - 4;
    while (this.pos < target) this.u8(0);
    this.u32(this.pos + 4 - start);
    this.patch32(start + 4, this.pos - start);
    return start;
  }
}

function snapshot(w: ChunkWriter): () => void {
  const pos = w.pos;
  const names = new Map(w.names);
  const templates = new Map(w.templates);
  const saved = w.bytes.slice();
  return () => {
    w.pos = pos;
    w.names = names;
    w.templates = templates;
    w.bytes.set(saved);
  };
}

function writeRecordFitted(w: ChunkWriter, spec: RecordSpec, id: bigint): number {
  if (spec.fillToChunkEnd === undefined) return w.record(spec, id);
  const restore = snapshot(w);
  w.record(spec, id, w.pos);
  const left = CHUNK_SIZE - w.pos;
  restore();
  const index = spec.fillToChunkEnd.valueIndex;
  const original = spec.values[index];
  if (original === undefined || "fragment" in original) throw new Error("fillToChunkEnd needs a string value");
  const grown = [...spec.values];
  const extra = Math.floor(left / 2);
  grown[index] = { type: original.type, bytes: new Uint8Array([...utf16("x".repeat(extra)), ...original.bytes]) };
  return w.record({ ...spec, values: grown }, id, CHUNK_SIZE - 4);
}

/** The chunk header fields and checksums, then the requested damage. */
function finishChunk(w: ChunkWriter, spec: ChunkSpec, first: bigint, offsets: number[], live: number): void {
  const b = w.bytes;
  const dv = new DataView(b.buffer);
  b.set([0x45, 0x6c, 0x66, 0x43, 0x68, 0x6e, 0x6b, 0x00], 0);
  const count = BigInt(offsets.length);
  dv.setBigUint64(8, 1n, true);
  dv.setBigUint64(16, count === 0n ? 0n : count, true);
  dv.setBigUint64(24, first, true);
  dv.setBigUint64(32, first + (count === 0n ? 0n : count - 1n), true);
  dv.setUint32(40, 128, true);
  dv.setUint32(44, offsets[offsets.length - 1] ?? 512, true);
  const freeSpace = spec.freeSpaceAtChunkEnd ? CHUNK_SIZE : live;
  dv.setUint32(48, freeSpace, true);
  if (spec.damage === "record-size") {
    const at = offsets[spec.damagedRecord ?? 0] as number;
    dv.setUint32(at + 4, CHUNK_SIZE, true);
  }
  dv.setUint32(52, crc32(b.subarray(512, freeSpace)), true);
  dv.setUint32(120, 1, true);
  dv.setUint32(124, crc32(b.subarray(128, 512), crc32(b.subarray(0, 120))), true);
  if (spec.damage === "magic") b[3] = 0x58;
  const flip = (at: number, mask: number): void => {
    b[at] = (b[at] as number) ^ mask;
  };
  if (spec.damage === "header-crc") flip(60, 0xff);
  if (spec.damage === "records-crc") flip((offsets[0] ?? 512) + 30, 0x01);
  const last = offsets[offsets.length - 1];
  if (spec.damage === "torn" && last !== undefined) b.fill(0, last + (live - last) / 2, live);
  if (spec.wipeHeader) b.fill(0, 0, 512);
}

/**
 * A 4 KiB file header for `chunkCount` chunks (a dirty one says 1, as live logs under-count).
 * Its checksum is left for the caller when it changes fields; {@link buildEvtx} sets it.
 */
export function evtxFileHeader(chunkCount: number, dirty: boolean): Uint8Array {
  const header = new Uint8Array(4096);
  const hv = new DataView(header.buffer);
  header.set([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00], 0);
  const headerCount = dirty ? Math.min(1, chunkCount) : chunkCount;
  hv.setBigUint64(16, BigInt(Math.max(0, headerCount - 1)), true);
  hv.setUint32(32, 128, true);
  hv.setUint16(36, 1, true);
  hv.setUint16(38, 3, true);
  hv.setUint16(40, 4096, true);
  hv.setUint16(42, headerCount, true);
  hv.setUint32(120, dirty ? 1 : 0, true);
  hv.setUint32(124, crc32(header.subarray(0, 120)), true);
  return header;
}

/**
 * Takes records from `next` while they fit in one chunk and returns those that do (the first
 * that does not fit is dropped): for filling chunks the way a log does.
 */
export function recordsThatFit(next: () => RecordSpec): RecordSpec[] {
  const w = new ChunkWriter();
  const fitted: RecordSpec[] = [];
  for (;;) {
    const spec = next();
    const restore = snapshot(w);
    try {
      w.record(spec, BigInt(fitted.length + 1));
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      restore();
      return fitted;
    }
    fitted.push(spec);
  }
}

/** Record ids and placement of a built file, for assertions. */
export interface BuiltEvtx {
  bytes: Uint8Array;
  /** Per chunk: file offsets of the live records, then of the slack records. */
  records: { live: number[]; slack: number[] }[];
}

/** Builds a whole EVTX file from `spec`. */
export function buildEvtx(spec: EvtxSpec): BuiltEvtx {
  const header = evtxFileHeader(spec.chunks.length, spec.dirty === true);
  const hv = new DataView(header.buffer);
  let nextId = 1n;
  const parts: Uint8Array[] = [header];
  const records: BuiltEvtx["records"] = [];
  spec.chunks.forEach((chunkSpec, index) => {
    const w = new ChunkWriter();
    const base = 4096 + index * CHUNK_SIZE;
    // The header's first EventRecordID is its first record's, as Windows writes it.
    const first = chunkSpec.records[0]?.id ?? nextId;
    const live: number[] = [];
    for (const r of chunkSpec.records) live.push(writeRecordFitted(w, r, r.id ?? nextId++));
    const liveEnd = w.pos;
    const slack: number[] = [];
    for (const r of chunkSpec.slack ?? []) slack.push(writeRecordFitted(w, r, r.id ?? 999_999n));
    if (chunkSpec.empty) w.bytes.fill(0);
    else finishChunk(w, chunkSpec, first, live, liveEnd);
    records.push({ live: live.map((o) => base + o), slack: slack.map((o) => base + o) });
    parts.push(w.bytes);
  });
  hv.setBigUint64(24, nextId, true);
  hv.setUint32(124, crc32(header.subarray(0, 120)), true);
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  return { bytes: spec.truncateTo === undefined ? whole : whole.slice(0, spec.truncateTo), records };
}

/** Substitution indices of {@link SYSMON_FILE_CREATE}. */
export const SYSMON_VALUE = {
  provider: 0,
  providerGuid: 1,
  eventId: 2,
  version: 3,
  level: 4,
  opcode: 5,
  keywords: 6,
  systemTime: 7,
  recordId: 8,
  activityId: 9,
  channel: 10,
  computer: 11,
  userId: 12,
  ruleName: 13,
  utcTime: 14,
  processGuid: 15,
  processId: 16,
  image: 17,
  targetFilename: 18,
} as const;

const S = SYSMON_VALUE;

/**
 * The Sysmon template shape (System + EventData with Data Name=...), values in the order of
 * {@link sysmonValues}. Three one-byte values (Version, Level, Opcode) put the strings after
 * them at odd offsets, as in real Sysmon logs.
 */
export const SYSMON_FILE_CREATE: TemplateSpec = {
  guid: "{B2E5A7B1-8C1D-4F00-9C7E-5A2B3C4D5E6F}",
  root: el(
    "Event",
    { xmlns: "http://schemas.microsoft.com/win/2004/08/events/event" },
    el(
      "System",
      {},
      el("Provider", {
        Name: sub(S.provider, VALUE_TYPE.STRING, true),
        Guid: sub(S.providerGuid, VALUE_TYPE.GUID, true),
      }),
      el("EventID", {}, sub(S.eventId, VALUE_TYPE.UINT16)),
      el("Version", {}, sub(S.version, VALUE_TYPE.UINT8)),
      el("Level", {}, sub(S.level, VALUE_TYPE.UINT8)),
      el("Opcode", {}, sub(S.opcode, VALUE_TYPE.UINT8)),
      el("Keywords", {}, sub(S.keywords, VALUE_TYPE.HEX_INT64)),
      el("TimeCreated", { SystemTime: sub(S.systemTime, VALUE_TYPE.FILETIME, true) }),
      el("EventRecordID", {}, sub(S.recordId, VALUE_TYPE.UINT64)),
      el("Correlation", { ActivityID: sub(S.activityId, VALUE_TYPE.GUID, true) }),
      el("Channel", {}, sub(S.channel, VALUE_TYPE.STRING)),
      el("Computer", {}, sub(S.computer, VALUE_TYPE.STRING)),
      el("Security", { UserID: sub(S.userId, VALUE_TYPE.SID, true) }),
    ),
    el(
      "EventData",
      {},
      el("Data", { Name: "RuleName" }, sub(S.ruleName, VALUE_TYPE.STRING, true)),
      el("Data", { Name: "UtcTime" }, sub(S.utcTime, VALUE_TYPE.STRING, true)),
      el("Data", { Name: "ProcessGuid" }, sub(S.processGuid, VALUE_TYPE.GUID, true)),
      el("Data", { Name: "ProcessId" }, sub(S.processId, VALUE_TYPE.UINT32, true)),
      el("Data", { Name: "Image" }, sub(S.image, VALUE_TYPE.STRING, true)),
      el("Data", { Name: "TargetFilename" }, sub(S.targetFilename, VALUE_TYPE.STRING, true)),
    ),
  ),
};

/** What varies between Sysmon-like events. */
export interface SysmonEvent {
  eventId?: number;
  provider?: string;
  channel?: string;
  computer: string;
  image: string;
  target: string;
  /** `2021-12-04T21:10:40.7235999Z` */
  time: string;
  recordId?: bigint;
}

/** The substitution values of {@link SYSMON_FILE_CREATE} for one event. */
export function sysmonValues(e: SysmonEvent): Value[] {
  return [
    v.string(e.provider ?? "Microsoft-Windows-Sysmon"),
    v.guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"),
    v.u16(e.eventId ?? 11),
    v.u8(2),
    v.u8(4),
    v.u8(0),
    v.hex64(0x8000000000000000n),
    v.filetime(e.time),
    v.u64(e.recordId ?? 1n),
    v.null(),
    v.string(e.channel ?? "Microsoft-Windows-Sysmon/Operational"),
    v.string(e.computer),
    v.sid("S-1-5-18"),
    v.string("-"),
    v.string(e.time.replace("T", " ").slice(0, 23)),
    v.guid("{A57649D1-D6B1-61AB-A5E4-D70100000000}"),
    v.u32(3504),
    v.string(e.image),
    v.string(e.target),
  ];
}

/** A Sysmon-like record. */
export function sysmonRecord(e: SysmonEvent, extra: Partial<RecordSpec> = {}): RecordSpec {
  return { template: SYSMON_FILE_CREATE, values: sysmonValues(e), ...extra };
}

/**
 * A template whose TargetFilename is the literal text `C:\Windows\Temp\lsass.dmp` (only EventID,
 * Computer and Image are substituted): its definition, written with the chunk's first record of
 * it, makes every record of the chunk a candidate. Values: u16 EventID, string Computer, string Image.
 */
export function dmpLiteralTemplate(guid: string): TemplateSpec {
  return {
    guid,
    root: el(
      "Event",
      {},
      el("System", {}, el("EventID", {}, sub(0, VALUE_TYPE.UINT16)), el("Computer", {}, sub(1, VALUE_TYPE.STRING))),
      el(
        "EventData",
        {},
        el("Data", { Name: "Image" }, sub(2, VALUE_TYPE.STRING)),
        el("Data", { Name: "TargetFilename" }, text("C:\\Windows\\Temp\\lsass.dmp")),
      ),
    ),
  };
}
