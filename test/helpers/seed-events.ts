/**
 * Builders of tiny self-made Sysmon records in every text format and layout, for the seed
 * table and property tests. Values are written raw: callers choose whether to put entities
 * or escapes in them (`xmlEscape`, `jsonString`).
 */

/** What a test event says; undefined fields are left out of the record. */
export interface SeedEvent {
  eventId?: number | string;
  provider?: string;
  channel?: string;
  computer?: string;
  time?: string;
  image?: string;
  targetFilename?: string;
  parentImage?: string;
  user?: string;
}

/** A plain Sysmon FileCreate by Task Manager writing lsass.DMP. */
export const TRUE_POSITIVE: Readonly<SeedEvent> = {
  eventId: 11,
  provider: "Microsoft-Windows-Sysmon",
  channel: "Microsoft-Windows-Sysmon/Operational",
  computer: "WS01.corp.example",
  time: "2024-03-05T10:11:12.1234567Z",
  image: "C:\\Windows\\System32\\Taskmgr.exe",
  targetFilename: "C:\\Users\\alice\\AppData\\Local\\Temp\\lsass.DMP",
  user: "CORP\\alice",
};

/** XML text escaping for element content and attributes. */
export function xmlEscape(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/'/g, "&apos;")
    .replace(/"/g, "&quot;");
}

/** Options for the XML layout. */
export interface XmlLayout {
  quote?: "'" | '"';
  pretty?: boolean;
  /** Escape values (default true); false writes them raw (only safe for plain values). */
  escape?: boolean;
  eventIdAttributes?: boolean;
}

/** One `<Event>` element. */
export function xmlEvent(e: SeedEvent, layout: XmlLayout = {}): string {
  const q = layout.quote ?? "'";
  const esc = layout.escape === false ? (s: string) => s : xmlEscape;
  const nl = layout.pretty ? "\n" : "";
  const ind = (n: number) => (layout.pretty ? "  ".repeat(n) : "");
  const parts: string[] = [];
  parts.push(`<Event xmlns=${q}http://schemas.microsoft.com/win/2004/08/events/event${q}>${nl}`);
  parts.push(`${ind(1)}<System>${nl}`);
  if (e.provider !== undefined)
    parts.push(
      `${ind(2)}<Provider Name=${q}${esc(e.provider)}${q} Guid=${q}{5770385f-c22a-43e0-bf4c-06f5698ffbd9}${q}/>${nl}`,
    );
  if (e.eventId !== undefined) {
    const attrs = layout.eventIdAttributes ? ` Qualifiers=${q}${q}` : "";
    parts.push(`${ind(2)}<EventID${attrs}>${esc(String(e.eventId))}</EventID>${nl}`);
  }
  parts.push(`${ind(2)}<Version>2</Version><Level>4</Level>${nl}`);
  if (e.time !== undefined) parts.push(`${ind(2)}<TimeCreated SystemTime=${q}${esc(e.time)}${q}/>${nl}`);
  parts.push(`${ind(2)}<EventRecordID>42</EventRecordID><Correlation/>${nl}`);
  if (e.channel !== undefined) parts.push(`${ind(2)}<Channel>${esc(e.channel)}</Channel>${nl}`);
  if (e.computer !== undefined) parts.push(`${ind(2)}<Computer>${esc(e.computer)}</Computer>${nl}`);
  parts.push(`${ind(2)}<Security UserID=${q}S-1-5-18${q}/>${nl}`);
  parts.push(`${ind(1)}</System>${nl}${ind(1)}<EventData>${nl}`);
  const data = (name: string, v: string | undefined) => {
    if (v !== undefined) parts.push(`${ind(2)}<Data Name=${q}${name}${q}>${esc(v)}</Data>${nl}`);
  };
  data("RuleName", "-");
  data("UtcTime", e.time?.replace("T", " ").replace(/\d{4}Z$/, ""));
  data("ProcessGuid", "{a57649d1-d6b1-61ab-a5e4-d70100000000}");
  data("ParentImage", e.parentImage);
  data("Image", e.image);
  data("TargetFilename", e.targetFilename);
  data("User", e.user);
  parts.push(`${ind(1)}</EventData>${nl}</Event>`);
  return parts.join("");
}

/** A JSON string literal; `asciiOnly` writes every non-ASCII character as `\uXXXX`. */
export function jsonString(s: string, asciiOnly = false): string {
  const json = JSON.stringify(s);
  return asciiOnly
    ? json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : json;
}

function idValue(v: number | string): number | string {
  return v;
}

/** One flat (NXLog/OTRF) JSON record, keys in a realistic order. */
export function flatRecord(e: SeedEvent, options: { hostKey?: "Hostname" | "Computer"; indent?: number } = {}): string {
  const o: Record<string, unknown> = { Keywords: "0x8000000000000000", SeverityValue: 2, host: "wec.collector.local" };
  if (e.eventId !== undefined) o.EventID = idValue(e.eventId);
  if (e.channel !== undefined) o.Channel = e.channel;
  if (e.time !== undefined) o.UtcTime = e.time.replace("T", " ").replace(/\d{4}Z$/, "");
  if (e.targetFilename !== undefined) o.TargetFilename = e.targetFilename;
  if (e.provider !== undefined) o.SourceName = e.provider;
  if (e.image !== undefined) o.Image = e.image;
  if (e.parentImage !== undefined) o.ParentImage = e.parentImage;
  if (e.user !== undefined) o.User = e.user;
  if (e.computer !== undefined) o[options.hostKey ?? "Hostname"] = e.computer;
  return JSON.stringify(o, null, options.indent);
}

/** One Winlogbeat/ECS JSON record. */
export function ecsRecord(e: SeedEvent, options: { indent?: number; eventCodeOnly?: boolean } = {}): string {
  const winlog: Record<string, unknown> = { record_id: 42, api: "wineventlog", event_data: {} };
  const data = winlog.event_data as Record<string, unknown>;
  if (e.eventId !== undefined && !options.eventCodeOnly) winlog.event_id = idValue(e.eventId);
  if (e.provider !== undefined) winlog.provider_name = e.provider;
  if (e.channel !== undefined) winlog.channel = e.channel;
  if (e.computer !== undefined) winlog.computer_name = e.computer;
  if (e.image !== undefined) data.Image = e.image;
  if (e.targetFilename !== undefined) data.TargetFilename = e.targetFilename;
  if (e.parentImage !== undefined) data.ParentImage = e.parentImage;
  if (e.user !== undefined) data.User = e.user;
  const o: Record<string, unknown> = {
    "@timestamp": e.time,
    event: { kind: "event", code: e.eventId === undefined ? undefined : String(e.eventId), provider: e.provider },
    host: e.computer === undefined ? undefined : { name: e.computer },
    winlog,
  };
  return JSON.stringify(o, null, options.indent);
}

/**
 * One evtx_dump record (`{"Event":{...}}`), EventID plain or as `{"#text": ...}`.
 * `separateAttributes`: as `evtx_dump --separate-json-attributes` writes it, every element's
 * attributes in a sibling `<Name>_attributes` object (`Provider_attributes`, `Event_attributes`).
 */
export function evtxDumpRecord(
  e: SeedEvent,
  options: { indent?: number; idAsText?: boolean; separateAttributes?: boolean } = {},
): string {
  if (options.separateAttributes) return separateAttributesRecord(e, options.indent);
  const system: Record<string, unknown> = {};
  if (e.provider !== undefined)
    system.Provider = { "#attributes": { Name: e.provider, Guid: "5770385F-C22A-43E0-BF4C-06F5698FFBD9" } };
  if (e.eventId !== undefined)
    system.EventID = options.idAsText ? { "#attributes": { Qualifiers: "" }, "#text": e.eventId } : e.eventId;
  system.Version = 2;
  if (e.time !== undefined) system.TimeCreated = { "#attributes": { SystemTime: e.time } };
  if (e.channel !== undefined) system.Channel = e.channel;
  if (e.computer !== undefined) system.Computer = e.computer;
  const eventData = evtxDumpEventData(e);
  return JSON.stringify(
    {
      Event: {
        "#attributes": { xmlns: "http://schemas.microsoft.com/win/2004/08/events/event" },
        System: system,
        EventData: eventData,
      },
    },
    null,
    options.indent,
  );
}

/** evtx_dump's `EventData` object of a FileCreate event (either attributes layout). */
function evtxDumpEventData(e: SeedEvent): Record<string, unknown> {
  const eventData: Record<string, unknown> = { RuleName: "-" };
  if (e.parentImage !== undefined) eventData.ParentImage = e.parentImage;
  if (e.image !== undefined) eventData.Image = e.image;
  if (e.targetFilename !== undefined) eventData.TargetFilename = e.targetFilename;
  if (e.user !== undefined) eventData.User = e.user;
  return eventData;
}

/** evtx_dump `--separate-json-attributes` (omerbenamram/evtx tests/snapshots/*separate_json_attributes.snap). */
function separateAttributesRecord(e: SeedEvent, indent: number | undefined): string {
  const system: Record<string, unknown> = {};
  if (e.provider !== undefined)
    system.Provider_attributes = { Name: e.provider, Guid: "5770385F-C22A-43E0-BF4C-06F5698FFBD9" };
  if (e.eventId !== undefined) system.EventID = e.eventId;
  system.Version = 2;
  if (e.time !== undefined) system.TimeCreated_attributes = { SystemTime: e.time };
  system.EventRecordID = 42;
  system.Correlation = null;
  system.Execution_attributes = { ProcessID: 3012, ThreadID: 4056 };
  if (e.channel !== undefined) system.Channel = e.channel;
  if (e.computer !== undefined) system.Computer = e.computer;
  system.Security_attributes = { UserID: "S-1-5-18" };
  const eventData = evtxDumpEventData(e);
  return JSON.stringify(
    {
      Event_attributes: { xmlns: "http://schemas.microsoft.com/win/2004/08/events/event" },
      Event: { System: system, EventData: eventData },
    },
    null,
    indent,
  );
}

/** Seconds since 1970 of an ISO time, as a number (what Velociraptor's parse_evtx writes). */
export function epochSeconds(iso: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  const whole = Date.parse(`${m?.[1] ?? iso}Z`) / 1000;
  return Number(`${whole}.${m?.[2] ?? "0"}`);
}

/** Deep copy with object keys sorted, as Beats' JSON encoder writes documents. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * One Winlogbeat 8 document with its Sysmon module (the default Elastic setup), as Beats
 * serializes it: keys sorted, the rendered `message` before `process` and `winlog`; the module
 * moved Image and TargetFilename out of `winlog.event_data` into `process.executable` and
 * `file.path`; `winlog.event_id` and `event.code` are strings ("11"). Winlogbeat 7 wrote them
 * as numbers: `numericIds`. `message` may be padded (a long PowerShell-sized first record).
 */
export function ecsSysmonModuleRecord(
  e: SeedEvent,
  options: { numericIds?: boolean; messagePadding?: number; noComputerName?: boolean } = {},
): string {
  const id = e.eventId === undefined ? undefined : options.numericIds ? Number(e.eventId) : String(e.eventId);
  const image = e.image;
  const target = e.targetFilename;
  const message = [
    "File created:",
    "RuleName: -",
    `UtcTime: ${e.time?.replace("T", " ").replace(/\d{4}Z$/, "") ?? "-"}`,
    "ProcessGuid: {a57649d1-d6b1-61ab-a5e4-d70100000000}",
    "ProcessId: 6532",
    `Image: ${image ?? "-"}`,
    `TargetFilename: ${target ?? "-"}`,
    `CreationUtcTime: ${e.time?.replace("T", " ").replace(/\d{4}Z$/, "") ?? "-"}`,
    `User: ${e.user ?? "-"}`,
  ].join("\n");
  const doc: Record<string, unknown> = {
    "@timestamp": e.time?.replace(/(\.\d{3})\d*Z$/, "$1Z"),
    agent: {
      ephemeral_id: "3b8d8f43-41c4-4c07-a1d4-1b33a3a4d1a5",
      id: "5e8b3c4e-8c5a-4ed5-9a58-9b8f0f2b4c10",
      name: "WS01",
      type: "winlogbeat",
      version: "8.11.1",
    },
    ecs: { version: "8.0.0" },
    event: {
      category: ["file"],
      code: id,
      created: "2024-03-05T10:11:14.512Z",
      kind: "event",
      module: "sysmon",
      provider: e.provider,
      type: ["creation"],
    },
    file:
      target === undefined
        ? undefined
        : {
            directory: target.slice(0, target.lastIndexOf("\\")),
            extension: target.slice(target.lastIndexOf(".") + 1),
            name: target.slice(target.lastIndexOf("\\") + 1),
            path: target,
          },
    host: e.computer === undefined ? undefined : { name: e.computer.split(".")[0]?.toLowerCase() },
    log: { level: "information" },
    message: options.messagePadding ? `${message}\n${"x".repeat(options.messagePadding)}` : message,
    process:
      image === undefined
        ? undefined
        : {
            entity_id: "{a57649d1-d6b1-61ab-a5e4-d70100000000}",
            executable: image,
            name: image.slice(image.lastIndexOf("\\") + 1),
            pid: 6532,
          },
    rule: { name: "-" },
    user: { domain: "CORP", name: "alice" },
    winlog: {
      api: "wineventlog",
      channel: e.channel,
      computer_name: options.noComputerName ? undefined : e.computer,
      event_id: id,
      opcode: "Info",
      process: { pid: 3012, thread: { id: 4056 } },
      provider_guid: "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
      provider_name: e.provider,
      record_id: "48213",
      task: "File created (rule: FileCreate)",
      user: { domain: "NT AUTHORITY", identifier: "S-1-5-18", name: "SYSTEM", type: "User" },
      version: 2,
    },
  };
  return JSON.stringify(sortKeys(doc));
}

/**
 * One Velociraptor `parse_evtx()` row: evtx_dump's layout without the `Event` wrapper,
 * `{"Value": 11}` EventIDs and `SystemTime` as seconds since 1970 (a float, Go's shortest
 * form); keys in Velociraptor's order. `isoTime` writes the time as text instead.
 */
export function velociraptorRecord(
  e: SeedEvent,
  options: { indent?: number; plainId?: boolean; isoTime?: boolean } = {},
): string {
  const system: Record<string, unknown> = {};
  if (e.provider !== undefined) system.Provider = { Name: e.provider, Guid: "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}" };
  if (e.eventId !== undefined) system.EventID = options.plainId ? e.eventId : { Value: e.eventId };
  Object.assign(system, { Version: 2, Level: 4, Task: 11, Opcode: 0, Keywords: "KEYWORDS" });
  if (e.time !== undefined) system.TimeCreated = { SystemTime: options.isoTime ? e.time : epochSeconds(e.time) };
  system.EventRecordID = 48213;
  system.Correlation = {};
  system.Execution = { ProcessID: 3012, ThreadID: 4056 };
  if (e.channel !== undefined) system.Channel = e.channel;
  if (e.computer !== undefined) system.Computer = e.computer;
  system.Security = { UserID: "S-1-5-18" };
  const eventData: Record<string, unknown> = {
    RuleName: "-",
    UtcTime: e.time?.replace("T", " ").replace(/\d{4}Z$/, ""),
    ProcessGuid: "{a57649d1-d6b1-61ab-a5e4-d70100000000}",
    ProcessId: 6532,
  };
  if (e.image !== undefined) eventData.Image = e.image;
  if (e.targetFilename !== undefined) eventData.TargetFilename = e.targetFilename;
  if (e.user !== undefined) eventData.User = e.user;
  // Keywords is a uint64 that JavaScript numbers cannot hold: written with Go's exact digits.
  return JSON.stringify({ System: system, EventData: eventData }, null, options.indent).replace(
    '"KEYWORDS"',
    "9223372036854775808",
  );
}

/**
 * evtx_dump's default output (`evtx_dump -o json file.evtx`): `Record N` on a line of its own
 * before each record, pretty-printed with two spaces, or on one line with `--no-indent`.
 */
export function evtxDumpDefaultOutput(
  events: SeedEvent[],
  options: { noIndent?: boolean; firstId?: number } = {},
): string {
  return events
    .map(
      (e, i) => `Record ${(options.firstId ?? 1) + i}\n${evtxDumpRecord(e, options.noIndent ? {} : { indent: 2 })}\n`,
    )
    .join("");
}

/**
 * One flat record as pandas writes it (`df.to_json(orient="records", lines=True)`): a column
 * with a missing value is float, so EventID is `11.0`; `/` is escaped as `\/` and non-ASCII as
 * `\uXXXX`; missing values are `null`.
 */
export function pandasRecord(e: SeedEvent): string {
  const o: Record<string, unknown> = {
    EventID: e.eventId,
    SourceName: e.provider ?? null,
    Channel: e.channel ?? null,
    Hostname: e.computer ?? null,
    UtcTime: e.time?.replace("T", " ").replace(/\d{4}Z$/, "") ?? null,
    Image: e.image ?? null,
    TargetFilename: e.targetFilename ?? null,
    ParentImage: e.parentImage ?? null,
  };
  return JSON.stringify(o)
    .replace(/"EventID":(\d+)/, '"EventID":$1.0')
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * JSON pretty-printed with no indentation (Python's `json.dumps(value, indent=0)`): every
 * member and array element on a line of its own at column 0, so objects inside arrays start
 * with a `{` at column 0.
 */
export function unindentedJson(text: string): string {
  // JSON strings never hold a raw line feed, so every line start is structure.
  return JSON.stringify(JSON.parse(text), null, 1).replace(/^ +/gm, "");
}
