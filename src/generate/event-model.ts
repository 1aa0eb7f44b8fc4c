/**
 * One Windows event as the generator thinks of it, before it is written in any log format.
 *
 * Builders (background, true positives, decoys) fill an {@link EventModel}; renderers turn it
 * into the text of one record in XML, evtx_dump JSON, flat NXLog JSON or Winlogbeat ECS JSON.
 * Values that change from one copy of a record to the next (times, record numbers) are
 * {@link Slot}s, filled in at write time so that one rendered record can be reused as a
 * template many times.
 */

/** What a slot in a rendered record holds; each kind has a fixed width in bytes. */
export const SlotKind = {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (27): XML / evtx_dump `SystemTime`. */
  SystemTime: 0,
  /** `YYYY-MM-DD HH:MM:SS.fff` (23): Sysmon `UtcTime`, `CreationUtcTime`. */
  UtcTime: 1,
  /** `YYYY-MM-DDTHH:MM:SS.fffZ` (24): `@timestamp`, `event.created`. */
  IsoMillis: 2,
  /** `YYYY-MM-DD HH:MM:SS` (19): NXLog `EventTime`, the collector's local time (UTC-4). */
  LocalSeconds: 3,
  /** `YYYY-MM-DD HH:MM:SS` (19): NXLog `EventReceivedTime`, two seconds after `EventTime`. */
  ReceivedSeconds: 4,
  /** Nine decimal digits: `EventRecordID` / `RecordNumber` / `record_id`. */
  RecordId: 5,
} as const;
/** One of the {@link SlotKind} values. */
export type SlotKind = (typeof SlotKind)[keyof typeof SlotKind];

/** Width in bytes of each {@link SlotKind}, indexed by kind. */
export const SLOT_WIDTH: readonly number[] = [27, 23, 24, 19, 19, 9];

/** A placeholder for a value filled in when the record is written. */
export interface Slot {
  readonly slot: SlotKind;
}

/** Interned slot values (compare by identity or by `.slot`). */
export const SLOT = {
  systemTime: { slot: SlotKind.SystemTime } as Slot,
  utcTime: { slot: SlotKind.UtcTime } as Slot,
  isoMillis: { slot: SlotKind.IsoMillis } as Slot,
  localSeconds: { slot: SlotKind.LocalSeconds } as Slot,
  receivedSeconds: { slot: SlotKind.ReceivedSeconds } as Slot,
  recordId: { slot: SlotKind.RecordId } as Slot,
} as const;

/** True when `v` is a {@link Slot}. */
export function isSlot(v: unknown): v is Slot {
  return typeof v === "object" && v !== null && "slot" in v;
}

/** A value of one EventData item: text, an integer (typed as a number by evtx_dump), or a slot. */
export type DataValue = string | number | Slot;

/** The machine that logged an event (for ECS `host.*` and the GUID prefix). */
export interface HostInfo {
  /** `System/Computer`: usually the FQDN. */
  computer: string;
  /** Short host name, as Winlogbeat puts it in `host.name` (lower case). */
  shortName: string;
  /** First group of this machine's Sysmon process GUIDs. */
  guidPrefix: string;
  ip: string;
  mac: string;
  osBuild: string;
  osName: string;
}

/** An account as NXLog (`AccountName`, `Domain`, `AccountType`) and Winlogbeat (`winlog.user`) report it. */
export interface AccountInfo {
  domain: string;
  name: string;
  type: string;
  sid: string;
}

/** One event, independent of the log format. */
export interface EventModel {
  /** The numeric event id (how it is spelled is a {@link import("./render-style.js").RenderStyle} choice). */
  eventId: number;
  /** Provider (`System/Provider`); null leaves it out of the record. */
  provider: { name: string; guid: string } | null;
  /** `System/Channel`; null leaves it out. */
  channel: string | null;
  version: number;
  level: number;
  task: number;
  opcode: number;
  /** `System/Keywords` in hex, e.g. `0x8000000000000000`. */
  keywords: string;
  /** `System/Execution` process and thread ids. */
  executionPid: number;
  executionTid: number;
  /** `System/Security/@UserID` ("" gives an empty `<Security/>`). */
  userSid: string;
  /** `System/Computer`; "" writes it empty, null leaves it out. */
  computer: string | null;
  /** The machine (for ECS `host.*`); null when the record must not name one. */
  host: HostInfo | null;
  /** `EventData/Data` items, in order. */
  data: [string, DataValue][];
  /** Task display name: NXLog `Category`, ECS `event.action`, e.g. `File created (rule: FileCreate)`. */
  category: string;
  /** First line of the rendered message, e.g. `File created:` (Security events: a sentence). */
  messageTitle: string;
  /** Rendered message body for Security events (Sysmon messages are made from `data`). */
  messageBody?: string;
  /** The account the event was logged under. */
  account: AccountInfo;
  /** ECS `event.category` / `event.type`, when the Sysmon module maps them. */
  ecsCategory?: [string[], string[]];
}

/** The EventData value of `name` as a string (first occurrence), or undefined when absent or a slot. */
export function dataText(event: EventModel, name: string): string | undefined {
  for (const [k, v] of event.data) {
    if (k === name) return typeof v === "number" ? String(v) : typeof v === "string" ? v : undefined;
  }
  return undefined;
}
