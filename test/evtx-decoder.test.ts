/**
 * The Binary XML decoders: values render as Windows renders them, templates and substitutions
 * expand to the XML a record stands for, and the fast path's streaming field collector picks
 * the same seven fields as the reference's tree on every record (seeds, then generated records).
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BinXmlError,
  BinXmlReader,
  decodeRecordFields,
  decodeRecordTree,
  eventFieldsOfTree,
  renderFiletime,
  renderXml,
  scanChunk,
} from "../src/formats/evtx/index.js";
import {
  buildEvtx,
  cdata,
  charref,
  type ElementNode,
  el,
  entity,
  filetimeOf,
  type Piece,
  type RecordSpec,
  sub,
  sysmonRecord,
  type TemplateSpec,
  text,
  VALUE_TYPE,
  type Value,
  v,
} from "./helpers/evtx-writer.js";

/** Decodes every live record of a one-chunk file built from `records`. */
function decodeAll(records: RecordSpec[]): { chunk: Uint8Array; offsets: number[]; sizes: number[] } {
  const { bytes } = buildEvtx({ chunks: [{ records }] });
  const chunk = bytes.subarray(4096, 4096 + 65536);
  const scan = scanChunk(chunk);
  expect(scan.kind).toBe("live");
  return { chunk, offsets: scan.recordOffsets, sizes: scan.recordSizes };
}

function xmlOf(records: RecordSpec[]): string[] {
  const { chunk, offsets, sizes } = decodeAll(records);
  const reader = new BinXmlReader(chunk);
  return offsets.map((o, i) =>
    decodeRecordTree(reader, o, sizes[i] as number)
      .map(renderXml)
      .join(""),
  );
}

function template(root: ElementNode, guid = "{00000000-0000-4000-8000-0000000000AA}"): TemplateSpec {
  return { guid, root };
}

describe("value rendering", () => {
  it("renders FILETIME with all seven 100 ns digits", () => {
    expect(renderFiletime(filetimeOf("2021-12-04T21:10:40.7235999Z"))).toBe("2021-12-04T21:10:40.7235999Z");
    expect(renderFiletime(filetimeOf("2020-09-22T08:38:27.371Z"))).toBe("2020-09-22T08:38:27.3710000Z");
    expect(renderFiletime(0n)).toBe("1601-01-01T00:00:00.0000000Z");
  });

  it("renders every common value type as Windows does", () => {
    const values: [Value, string][] = [
      [v.u16(11), "11"],
      [v.u8(255), "255"],
      [v.u32(4294967295), "4294967295"],
      [v.u64(18446744073709551615n), "18446744073709551615"],
      [v.raw(VALUE_TYPE.INT32, Uint8Array.of(0xff, 0xff, 0xff, 0xff)), "-1"],
      [v.hex64(0x8000000000000000n), "0x8000000000000000"],
      [v.raw(VALUE_TYPE.HEX_INT32, Uint8Array.of(0x00, 0x00, 0x01, 0x00)), "0x10000"],
      [v.guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"],
      [v.sid("S-1-5-21-3623811015-3361044348-30300820-1013"), "S-1-5-21-3623811015-3361044348-30300820-1013"],
      [v.raw(VALUE_TYPE.BOOL, Uint8Array.of(1, 0, 0, 0)), "true"],
      [v.raw(VALUE_TYPE.BINARY, Uint8Array.of(0xde, 0xad, 0x01)), "DEAD01"],
      [v.ansi("caf\xe9 \x80"), "café €"],
      [v.raw(VALUE_TYPE.STRING, Uint8Array.of(0x41, 0, 0, 0)), "A"],
      // Long strings take another path; lone surrogates are kept as they are.
      [v.string(`${"x".repeat(40)}\ud800`), `${"x".repeat(40)}\ud800`],
      [v.string("\udc00y"), "\udc00y"],
    ];
    const records = values.map(([value]) => ({
      template: template(el("Event", {}, el("V", {}, sub(0, value.type)))),
      values: [value],
    }));
    expect(xmlOf(records)).toEqual(
      values.map(([, rendered]) => `<Event><V>${rendered.replace("&", "&amp;")}</V></Event>`),
    );
  });
});

describe("SID arrays (type 0x93), as omerbenamram/evtx reads them: SIDs back to back", () => {
  const sidBytes = (s: string): Uint8Array => (v.sid(s) as { bytes: Uint8Array }).bytes;
  const sidArray = (bytes: Uint8Array): Value => v.raw(VALUE_TYPE.SID | VALUE_TYPE.ARRAY, bytes);
  const arrayRecord = (value: Value) => ({
    template: template(el("Event", {}, el("EventData", {}, el("Data", { Name: "Groups" }, sub(0, value.type))))),
    values: [value],
  });

  it("repeats the element once per SID, each as long as its sub-authority count says", () => {
    const bytes = new Uint8Array([...sidBytes("S-1-5-18"), ...sidBytes("S-1-5-21-1-2-3-500"), ...sidBytes("S-1-1-0")]);
    expect(xmlOf([arrayRecord(sidArray(bytes))])).toEqual([
      '<Event><EventData><Data Name="Groups">S-1-5-18</Data><Data Name="Groups">S-1-5-21-1-2-3-500</Data>' +
        '<Data Name="Groups">S-1-1-0</Data></EventData></Event>',
    ]);
  });

  it("a SID array whose last SID runs past its end is malformed", () => {
    const bytes = sidBytes("S-1-5-21-1-2-3-500").subarray(0, 20);
    const { chunk, offsets, sizes } = decodeAll([arrayRecord(sidArray(bytes))]);
    const [offset, size] = [offsets[0] as number, sizes[0] as number];
    expect(() => decodeRecordTree(new BinXmlReader(chunk), offset, size)).toThrow(BinXmlError);
    expect(() => decodeRecordFields(new BinXmlReader(chunk), offset, size)).toThrow(BinXmlError);
  });
});

describe("Binary XML expansion", () => {
  it("expands a Sysmon record to its XML (template, attributes, substitutions)", () => {
    const [xml] = xmlOf([
      sysmonRecord({
        computer: "fs03vuln.offsec.lan",
        image: "C:\\Windows\\System32\\Taskmgr.exe",
        target: "C:\\Users\\admmig\\AppData\\Local\\Temp\\lsass (4).DMP",
        time: "2021-12-04T21:10:40.7235999Z",
        recordId: 48564n,
      }),
    ]);
    expect(xml).toBe(
      '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>' +
        '<Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>' +
        "<EventID>11</EventID><Version>2</Version><Level>4</Level><Opcode>0</Opcode>" +
        "<Keywords>0x8000000000000000</Keywords>" +
        '<TimeCreated SystemTime="2021-12-04T21:10:40.7235999Z"/><EventRecordID>48564</EventRecordID>' +
        "<Correlation/><Channel>Microsoft-Windows-Sysmon/Operational</Channel>" +
        '<Computer>fs03vuln.offsec.lan</Computer><Security UserID="S-1-5-18"/></System><EventData>' +
        '<Data Name="RuleName">-</Data><Data Name="UtcTime">2021-12-04 21:10:40.723</Data>' +
        '<Data Name="ProcessGuid">{A57649D1-D6B1-61AB-A5E4-D70100000000}</Data>' +
        '<Data Name="ProcessId">3504</Data><Data Name="Image">C:\\Windows\\System32\\Taskmgr.exe</Data>' +
        '<Data Name="TargetFilename">C:\\Users\\admmig\\AppData\\Local\\Temp\\lsass (4).DMP</Data>' +
        "</EventData></Event>",
    );
  });

  it("reads template definitions with and without dependency identifiers alike", () => {
    const e = { computer: "h", image: "C:\\Taskmgr.exe", target: "C:\\lsass.dmp", time: "2020-01-01T00:00:00Z" };
    const withIds = xmlOf([sysmonRecord(e)]);
    const without = xmlOf([
      { ...sysmonRecord(e), template: { ...sysmonRecord(e).template, withoutDependencyIds: true } },
    ]);
    expect(without).toEqual(withIds);
    expect(withIds[0]).toContain("<Computer>h</Computer>");
  });

  it("defines a template inline once per chunk and references it afterwards", () => {
    const r = (host: string): RecordSpec =>
      sysmonRecord({ computer: host, image: "a.exe", target: "b", time: "2020-01-01T00:00:00Z" });
    const { chunk, offsets, sizes } = decodeAll([r("one"), r("two")]);
    const reader = new BinXmlReader(chunk);
    const inline: number[] = [];
    for (let i = 0; i < offsets.length; i++) {
      reader.inlineTemplates.length = 0;
      const fields = decodeRecordFields(reader, offsets[i] as number, sizes[i] as number);
      expect(fields?.computer).toBe(i === 0 ? "one" : "two");
      inline.push(reader.inlineTemplates.length / 2);
    }
    expect(inline).toEqual([1, 0]);
  });

  it("drops an attribute or element filled only by an optional NULL substitution, keeps normal ones empty", () => {
    const t = template(
      el(
        "Event",
        {},
        el("A", { x: sub(0, VALUE_TYPE.STRING, true), y: sub(0, VALUE_TYPE.STRING) }),
        el("B", {}, sub(0, VALUE_TYPE.STRING, true)),
        el("C", {}, sub(0, VALUE_TYPE.STRING)),
      ),
    );
    expect(xmlOf([{ template: t, values: [v.null()] }])).toEqual(['<Event><A y=""/><C/></Event>']);
  });

  it("repeats an element per array item (one empty element for an empty array)", () => {
    const t = template(el("Event", {}, el("D", { Name: "x" }, sub(0, VALUE_TYPE.STRING | VALUE_TYPE.ARRAY))));
    expect(xmlOf([{ template: t, values: [v.stringArray(["a", "b"])] }])).toEqual([
      '<Event><D Name="x">a</D><D Name="x">b</D></Event>',
    ]);
    expect(xmlOf([{ template: t, values: [v.stringArray([])] }])).toEqual(['<Event><D Name="x"/></Event>']);
  });

  it("joins text pieces: literal text, character and entity references, CDATA, substitutions", () => {
    const t = template(
      el(
        "Event",
        {},
        el("T", {}, text("C:\\ls"), charref(0x61), entity("amp"), cdata("<x>"), sub(0, VALUE_TYPE.STRING)),
      ),
    );
    expect(xmlOf([{ template: t, values: [v.string("ss.dmp")] }])).toEqual([
      "<Event><T>C:\\lsa&amp;&lt;x&gt;ss.dmp</T></Event>",
    ]);
  });

  it("decodes nested Binary XML values (elements without dependency identifiers)", () => {
    const t = template(el("Event", {}, el("UserData", {}, sub(0, VALUE_TYPE.BINXML))));
    const inner = el("Inner", { K: "v" }, el("Leaf", {}, "text"));
    expect(xmlOf([{ template: t, values: [v.binxml(inner)] }])).toEqual([
      '<Event><UserData><Inner K="v"><Leaf>text</Leaf></Inner></UserData></Event>',
    ]);
  });

  it("throws BinXmlError on malformed records, never reads outside the chunk", () => {
    const { chunk, offsets, sizes } = decodeAll([
      sysmonRecord({ computer: "h", image: "i", target: "t", time: "2020-01-01T00:00:00Z" }),
    ]);
    const offset = offsets[0] as number;
    const size = sizes[0] as number;
    for (let cut = 24; cut < size - 4; cut += 7) {
      const broken = chunk.slice();
      // Corrupt one byte at a time: either it still decodes or it throws BinXmlError, nothing else.
      broken[offset + cut] = (broken[offset + cut] as number) ^ 0xff;
      try {
        decodeRecordTree(new BinXmlReader(broken), offset, size);
      } catch (err) {
        expect(err).toBeInstanceOf(BinXmlError);
      }
    }
    const unknownEntity = template(el("Event", {}, el("T", {}, entity("nbsp"))));
    const bad = decodeAll([{ template: unknownEntity, values: [] }]);
    expect(() =>
      decodeRecordTree(new BinXmlReader(bad.chunk), bad.offsets[0] as number, bad.sizes[0] as number),
    ).toThrow(BinXmlError);
  });
});

describe("field picking: streaming collector vs tree", () => {
  function both(records: RecordSpec[]) {
    const { chunk, offsets, sizes } = decodeAll(records);
    const outcome = <T>(f: () => T): T | string => {
      try {
        return f();
      } catch (err) {
        if (err instanceof BinXmlError) return `BinXmlError: ${err.message}`;
        throw err;
      }
    };
    return offsets.map((o, i) => {
      const size = sizes[i] as number;
      const fromTree = outcome(() => eventFieldsOfTree(decodeRecordTree(new BinXmlReader(chunk), o, size)));
      const fromStream = outcome(() => decodeRecordFields(new BinXmlReader(chunk), o, size));
      expect(fromStream).toEqual(fromTree);
      return fromTree;
    });
  }

  it("seed: the first System, EventData, element and Data of each name win; text is the element's own", () => {
    const t = template(
      el(
        "Event",
        {},
        el("RenderingInfo", {}, el("Computer", {}, "not-this")),
        el(
          "System",
          {},
          el("Provider", { Guid: "{x}" }),
          el("Provider", { Name: "second-provider" }),
          el("EventID", { Qualifiers: "" }, "11"),
          el("EventID", {}, "12"),
          el("Computer", {}, "host", el("Nested", {}, "-no"), "name"),
          el("TimeCreated", { SystemTime: "2020-09-22T08:38:27.3710000Z" }),
        ),
        el("System", {}, el("Channel", {}, "second-system")),
        el(
          "EventData",
          {},
          el("Data", { Name: "Image" }, sub(0, VALUE_TYPE.STRING | VALUE_TYPE.ARRAY)),
          el("Data", { Name: "TargetFilename" }),
          el("Data", { Name: "TargetFilename" }, "second"),
        ),
      ),
    );
    const [fields] = both([{ template: t, values: [v.stringArray(["C:\\a\\taskmgr.exe", "other"])] }]);
    expect(fields).toEqual({
      eventId: "11",
      provider: undefined,
      channel: undefined,
      computer: "hostname",
      time: "2020-09-22T08:38:27.3710000Z",
      image: "C:\\a\\taskmgr.exe",
      targetFilename: "",
    });
  });

  it("calls the same records malformed (it checks the values it does not render)", () => {
    const values = [
      v.string("odd"),
      v.raw(VALUE_TYPE.STRING, Uint8Array.of(0x41, 0, 0x42)),
      v.raw(VALUE_TYPE.SID, Uint8Array.of(1, 9, 0, 0, 0, 0, 0, 5)),
      v.raw(VALUE_TYPE.SIZE_T, Uint8Array.of(1, 2, 3)),
      v.raw(0x42, Uint8Array.of(1)),
      v.raw(VALUE_TYPE.UINT32 | VALUE_TYPE.ARRAY, Uint8Array.of(1, 2, 3)),
    ];
    // Each record puts one bad value where the collector does not look (RuleName, an attribute).
    const records = values.slice(1).flatMap((bad): RecordSpec[] => [
      {
        template: template(
          el(
            "Event",
            {},
            el("EventData", {}, el("Data", { Name: "RuleName" }, sub(1, bad.type)), sub(0, VALUE_TYPE.STRING)),
          ),
        ),
        values: [values[0] as Value, bad],
      },
      {
        template: template(el("Event", {}, el("System", {}, el("Security", { UserID: sub(0, bad.type) })))),
        values: [bad],
      },
    ]);
    const outcomes = both(records);
    expect(outcomes.every((o) => typeof o === "string" && o.startsWith("BinXmlError"))).toBe(true);
  });

  it("seed: no Event root gives no fields; a second root is ignored", () => {
    const notEvent = template(el("Other", {}, el("System", {}, el("EventID", {}, "11"))));
    const twoRoots = template(el("Event", {}, sub(0, VALUE_TYPE.BINXML)));
    expect(both([{ template: notEvent, values: [] }])).toEqual([undefined]);
    const fields = both([{ template: twoRoots, values: [v.binxml(el("System", {}, el("EventID", {}, "11")))] }]);
    expect(fields[0]?.eventId).toBe("11");
  });

  const ROOT_CHILDREN = ["System", "EventData", "X"];
  // Repeats weight the draw toward the shapes the collector decides on.
  const LEAVES = ["Data", "Data", "Data", "EventID", "Computer", "Channel", "Provider", "TimeCreated", "X"];
  const ATTRS = ["Name", "Name", "Name", "SystemTime", "Image"];
  const DATA_NAMES = ["Image", "TargetFilename", "Other"];

  const attributeValue = fc.oneof(
    { arbitrary: fc.constantFrom(...DATA_NAMES).map((s): Piece[] => [text(s)]), weight: 4 },
    { arbitrary: fc.constantFrom<Piece[]>([sub(0, VALUE_TYPE.STRING, true)], [sub(1, VALUE_TYPE.STRING)]), weight: 1 },
  );
  const textPiece = fc.oneof(
    fc.string({ maxLength: 4 }).map(text),
    fc.constantFrom(
      sub(0, VALUE_TYPE.STRING, true),
      sub(1, VALUE_TYPE.STRING),
      sub(2, VALUE_TYPE.STRING | VALUE_TYPE.ARRAY),
      sub(3, VALUE_TYPE.BINXML),
    ),
  );

  /** Random elements shaped like events (Event > System/EventData > Data/EventID/...), with every kind of content. */
  function elementOf(names: string[], children: fc.Arbitrary<ElementNode | Piece>): fc.Arbitrary<ElementNode> {
    return fc
      .record({
        name: fc.constantFrom(...names),
        attributes: fc.uniqueArray(fc.tuple(fc.constantFrom(...ATTRS), attributeValue), {
          maxLength: 2,
          selector: ([name]) => name,
        }),
        children: fc.array(children, { maxLength: 4 }),
      })
      .map(({ name, attributes, children }) => ({ kind: "element" as const, name, attributes, children }));
  }
  const leaf = elementOf(LEAVES, textPiece);
  const middle = elementOf(ROOT_CHILDREN, fc.oneof(leaf, textPiece));
  const root = elementOf(["Event"], fc.oneof(middle, middle, leaf, textPiece));

  /** A generated tree for a nested Binary XML value: the same, without substitutions (it has no values). */
  function withoutSubstitutions(node: ElementNode): ElementNode {
    return {
      ...node,
      attributes: node.attributes
        .map(([name, pieces]): [string, Piece[]] => [name, pieces.filter((p) => p.kind !== "sub")])
        .filter(([, pieces]) => pieces.length > 0),
      children: node.children
        .filter((c) => c.kind !== "sub")
        .map((c) => (c.kind === "element" ? withoutSubstitutions(c) : c)),
    };
  }

  it("agrees with the tree on generated records", () => {
    fc.assert(
      fc.property(
        root,
        fc.oneof(middle, leaf),
        fc.boolean(),
        fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
        (root, nested, nullFirst, items) => {
          const t = template(root);
          const values = [
            nullFirst ? v.null() : v.string("first"),
            v.string("second"),
            v.stringArray(items),
            v.binxml(withoutSubstitutions(nested)),
          ];
          both([{ template: t, values }]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
