/**
 * Triage collections as the tools lay them out, scanned by the CLI in both engines and with
 * one thread or many: a KAPE target folder (`C/Windows/System32/winevt/Logs`, `%4` and
 * non-ASCII names, Windows' archived logs, upper-case `.EVTX`, dirty logs with preallocated
 * slots, a directory named `*.evtx`, zero-byte and header-only files, a symbolic link loop, a
 * log cut at a chunk boundary) and Velociraptor's offline collector zip (`uploads/auto/C%3A/...`
 * with `%25`-escaped names, and its uploads.json, log.json, *.json.index, collection_context.json,
 * client_info.json and results/ beside them). Every EVTX is built with the test EVTX writer.
 */

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectLogFormat } from "../src/formats/log-format.js";
import { whyNotALog } from "../src/scan/not-a-log.js";
import { CLI, ROOT, runCli } from "./helpers/cli.js";
import { buildEvtx, sysmonRecord } from "./helpers/evtx-writer.js";
import { scratchDir } from "./helpers/fixtures.js";
import { makeZip } from "./helpers/inputs-fixtures.js";

function evtx(...ids: number[]): Uint8Array {
  return buildEvtx({ chunks: ids.map((i) => ({ records: [sysmonRecord(event(i))] })) }).bytes;
}

function event(i: number) {
  return {
    computer: `ws${i}.corp.example`,
    image: "C:\\Windows\\System32\\Taskmgr.exe",
    target: `C:\\Users\\u${i}\\AppData\\Local\\Temp\\lsass.DMP`,
    time: "2024-10-16T09:51:12.1234567Z",
    recordId: BigInt(i),
  };
}

function put(root: string, path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
}

/** The hosts of the rows, and stderr and status, the same in both engines and with -j 1 (asserted). */
function scanAllWays(...inputs: string[]): { dests: string[]; stderr: string; status: number | null } {
  const runs = ["wasm", "reference"].flatMap((engine) =>
    [[], ["-j", "1"]].map((threads) => {
      const r = runCli(["scan", "-f", "jsonl", "-v", "--no-progress", "--engine", engine, ...threads, ...inputs]);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+|TypeError|RangeError/);
      const dests = r.stdout
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l).dest as string);
      // The summary's time and rate differ from run to run.
      return { dests, stderr: r.stderr.replace(/ in [\d.]+ s \(.*\)$/m, ""), status: r.status };
    }),
  );
  for (const run of runs) expect(run).toEqual(runs[0]);
  return runs[0] as { dests: string[]; stderr: string; status: number | null };
}

const LOGS = "C/Windows/System32/winevt/Logs";

describe("a KAPE target folder (EventLogs: C/Windows/System32/winevt/Logs)", () => {
  const root = scratchDir();
  const kape = join(root, "kape");
  put(kape, `${LOGS}/Microsoft-Windows-Sysmon%4Operational.evtx`, evtx(1));
  put(kape, `${LOGS}/Archive-Microsoft-Windows-Sysmon%4Operational-2024-10-16-09-51-12-123.evtx`, evtx(2));
  put(kape, `${LOGS}/SYSMON-COPY.EVTX`, evtx(3));
  put(kape, `${LOGS}/Microsoft-Windows-Sysmon%4Opérationnel-日本.evtx`, evtx(4));
  put(kape, `${LOGS}/Folder.evtx/Microsoft-Windows-Sysmon%4Operational.evtx`, evtx(5));
  // Dirty, as copied from a live system: the header says 1 chunk, two are written, two preallocated.
  const dirty = buildEvtx({
    dirty: true,
    chunks: [
      { records: [sysmonRecord(event(6))] },
      { records: [sysmonRecord(event(7))] },
      { records: [], empty: true },
      { records: [], empty: true },
    ],
  }).bytes;
  put(kape, `${LOGS}/Microsoft-Windows-Sysmon%4Operational (dirty).evtx`, dirty);
  // A channel never written to: a header counting no chunk.
  put(kape, `${LOGS}/Microsoft-Windows-Kernel-PnP%4Device Configuration.evtx`, buildEvtx({ chunks: [] }).bytes);
  put(kape, `${LOGS}/Microsoft-Windows-Kernel-PnP%4Device Management.evtx`, new Uint8Array(0));

  it("every log is found, decoded and scanned; the zero-byte file is named as skipped", () => {
    const { dests, stderr, status } = scanAllWays(kape);
    expect(dests).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `ws${i}.corp.example`));
    expect(status).toBe(1);
    expect(stderr).toContain("Kernel-PnP%4Device Management.evtx: empty");
    expect(stderr).toMatch(/^lsass-dump-scan: 7 inputs, .*, 7 alerts, 1 skipped \(not a log format we read\)$/m);
  });

  it("a log copied only up to a chunk boundary and a symbolic link loop are named, status 2, the rest scanned", () => {
    const cut = join(root, "cut");
    put(cut, `${LOGS}/Microsoft-Windows-Sysmon%4Operational.evtx`, evtx(8, 9, 10).slice(0, 4096 + 65536));
    mkdirSync(join(cut, "C", "Windows", "loop"), { recursive: true });
    symlinkSync("..", join(cut, "C", "Windows", "loop", "up"));
    const { dests, stderr, status } = scanAllWays(cut);
    expect(dests).toEqual(["ws8.corp.example"]);
    expect(status).toBe(2);
    expect(stderr).toContain(
      "Sysmon%4Operational.evtx: truncated: the file header counts 3 chunks, the file ends after 1 (at offset 69632)",
    );
    expect(stderr).toMatch(/loop\/up: symbolic link loop \(leads back to /);
  });
});

describe("a Velociraptor offline collector zip", () => {
  const sysmon = evtx(11);
  const sysmonPath = "uploads/auto/C%3A/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%254Operational.evtx";
  const uploadRow = {
    Timestamp: "2024-10-16T09:52:00.123456Z",
    started: "2024-10-16 09:52:00.123456 +0000 UTC",
    vfs_path: `/${sysmonPath}`,
    _Components: [
      "uploads",
      "auto",
      "C:",
      "Windows",
      "System32",
      "winevt",
      "Logs",
      "Microsoft-Windows-Sysmon%4Operational.evtx",
    ],
    file_size: sysmon.length,
    uploaded_size: sysmon.length,
    Type: "",
  };
  const uploadsJson = `${JSON.stringify(uploadRow)}\n`;
  const metadata = [
    { name: "uploads.json", data: uploadsJson },
    { name: "uploads.json.index", data: Buffer.alloc(8) },
    {
      name: "log.json",
      data: `${JSON.stringify({ _ts: 1729072320, level: "DEFAULT", message: "Starting collection of Windows.KapeFiles.Targets" })}\n`,
    },
    { name: "log.json.index", data: Buffer.alloc(8) },
    {
      name: "collection_context.json",
      data: JSON.stringify({ session_id: "F.CS1HG2", state: "FINISHED", total_uploaded_files: 1 }),
    },
    { name: "client_info.json", data: JSON.stringify({ Hostname: "WS11", OS: "windows", Fqdn: "ws11.corp.example" }) },
    {
      name: "results/Windows.KapeFiles.Targets%2FAll File Metadata.json",
      data: `${JSON.stringify({ SourceFile: "C:\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx", Size: sysmon.length })}\n`,
    },
  ];

  it("the uploaded log is scanned; the collection's metadata is skipped and named, not counted as logs", () => {
    const root = scratchDir();
    const zip = join(root, "Collection-WS11-2024-10-16T09_52_00Z.zip");
    writeFileSync(zip, makeZip([{ name: sysmonPath, data: sysmon }, ...metadata]));
    const { dests, stderr, status } = scanAllWays(zip);
    expect(dests).toEqual(["ws11.corp.example"]);
    expect(status).toBe(1);
    expect(stderr).toContain(`zip:uploads.json: Velociraptor's list of collected files (uploads.json), not a log`);
    for (const name of ["log.json", "collection_context.json", "client_info.json", "All File Metadata.json"]) {
      expect(stderr).toContain(`${name}: JSON that is not a Sysmon log layout we read`);
    }
    expect(stderr).toMatch(/^lsass-dump-scan: 1 input, .*, 1 alert, 7 skipped/m);
  });

  it("a collection whose log upload failed is 'nothing was scanned', status 2, not a clean 'no alerts'", () => {
    const root = scratchDir();
    const zip = join(root, "Collection-WS11.zip");
    writeFileSync(zip, makeZip(metadata));
    const { dests, stderr, status } = scanAllWays(zip);
    expect(dests).toEqual([]);
    expect(status).toBe(2);
    expect(stderr).toContain("nothing was scanned");
  });

  it("detection: metadata is no log; a record with any key a layout reads still is (NXLog syslog, ECS)", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(detectLogFormat(bytes(uploadsJson))).toBeUndefined();
    expect(whyNotALog(bytes(uploadsJson))).toMatch(/^Velociraptor's list of collected files/);
    expect(detectLogFormat(bytes(`{"Hostname":"WS11","OS":"windows"}\n`))).toBeUndefined();
    expect(detectLogFormat(bytes(`{"EventTime":"2024-10-16 09:51:12","Hostname":"gw","SourceName":"sshd"}\n`))).toBe(
      "flat",
    );
    expect(detectLogFormat(bytes(`{"@timestamp":"2024-10-16T09:51:12Z","host":{"name":"ws"}}\n`))).toBe("flat");
    expect(detectLogFormat(bytes(`{"EventID":11}\n`))).toBe("flat");
  });
});

describe("disk images a triage tool writes instead of a folder", () => {
  /** The first bytes of each, as the format's specification lays them out. */
  const vhdx = Buffer.alloc(65536);
  vhdx.write("vhdxfile", 0, "latin1"); // MS-VHDX file type identifier, then the creator in UTF-16LE
  vhdx.write("Microsoft Windows 10.0.19045.0", 8, "utf16le");
  const vhd = Buffer.alloc(65536);
  vhd.write("conectix", 0, "latin1"); // the footer's copy at the start of a dynamic VHD
  vhd.writeUInt32BE(2, 8);
  vhd.writeUInt32BE(0x00010000, 12);
  vhd.write("win ", 28, "latin1");
  const e01 = Buffer.alloc(65536);
  Buffer.from([0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00, 0x01]).copy(e01);
  const ntfs = Buffer.alloc(65536);
  Buffer.from([0xeb, 0x52, 0x90]).copy(ntfs);
  ntfs.write("NTFS    ", 3, "latin1");
  const images = { "WS11.vhdx": vhdx, "WS11.vhd": vhd, "WS11.E01": e01, "C.dd": ntfs };

  it("are named as such (mount and scan the folder), skipped in a folder, a problem when named", () => {
    expect(whyNotALog(vhdx)).toMatch(/^VHDX disk image \(a triage container: mount it/);
    expect(whyNotALog(vhd)).toMatch(/^VHD disk image/);
    expect(whyNotALog(e01)).toMatch(/^EnCase \(E01\) disk image/);
    expect(whyNotALog(ntfs)).toMatch(/^NTFS volume disk image/);
    const root = scratchDir();
    for (const [name, data] of Object.entries(images)) put(root, `kape-out/${name}`, data);
    put(root, `kape-out/${LOGS}/Microsoft-Windows-Sysmon%4Operational.evtx`, evtx(12));
    const folder = scanAllWays(join(root, "kape-out"));
    expect(folder.status).toBe(1);
    expect(folder.stderr).toContain("WS11.vhdx: VHDX disk image");
    expect(folder.stderr).toMatch(/4 skipped/);
    const named = runCli(["scan", "--no-progress", join(root, "kape-out", "WS11.vhdx")]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain(
      "WS11.vhdx: VHDX disk image (a triage container: mount it and scan its winevt/Logs folder)",
    );
  });
});

describe("EvtxECmd output (KAPE's EvtxECmd module) beside the logs", () => {
  const columns =
    "RecordNumber,EventRecordId,TimeCreated,EventId,Level,Provider,Channel,ProcessId,ThreadId,Computer,ChunkNumber,UserId,MapDescription,UserName,RemoteHost,PayloadData1,PayloadData2,PayloadData3,PayloadData4,PayloadData5,PayloadData6,ExecutableInfo,HiddenRecord,SourceFile,Keywords,ExtraDataOffset,Payload";
  const payload = JSON.stringify({
    EventData: {
      Data: [
        { "@Name": "Image", "#text": "C:\\Windows\\System32\\Taskmgr.exe" },
        { "@Name": "TargetFilename", "#text": "C:\\Users\\u13\\AppData\\Local\\Temp\\lsass.DMP" },
      ],
    },
  });
  const row = {
    RecordNumber: 1,
    EventRecordId: "13",
    TimeCreated: "2024-10-16T09:51:12.1234567+00:00",
    EventId: 11,
    Level: "Info",
    Provider: "Microsoft-Windows-Sysmon",
    Channel: "Microsoft-Windows-Sysmon/Operational",
    ProcessId: 3504,
    ThreadId: 4412,
    Computer: "ws13.corp.example",
    ChunkNumber: 0,
    UserId: "S-1-5-18",
    MapDescription: "FileCreate",
    PayloadData1: "ProcessID: 3504, ProcessGUID: a57649d1-d6b1-61ab-a5e4-d70100000000",
    PayloadData2: "RuleName: -",
    ExecutableInfo: "C:\\Windows\\System32\\Taskmgr.exe",
    HiddenRecord: false,
    SourceFile: "C:\\kape\\C\\Windows\\System32\\winevt\\Logs\\Microsoft-Windows-Sysmon%4Operational.evtx",
    Keywords: "Classic",
    ExtraDataOffset: 0,
    Payload: payload,
  };

  it("its CSV and JSON are named as EvtxECmd output, not read as flat JSON to a silent nothing", () => {
    const root = scratchDir();
    put(
      root,
      "out/EventLogs/20241016095112_EvtxECmd_Output.csv",
      `${columns}\r\n1,13,2024-10-16 09:51:12.1234567,11,Info\r\n`,
    );
    put(root, "out/EventLogs/20241016095112_EvtxECmd_Output.json", `${JSON.stringify(row)}\r\n`);
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(detectLogFormat(bytes(JSON.stringify(row)))).toBeUndefined();
    expect(whyNotALog(bytes(`${JSON.stringify(row)}\n`))).toMatch(/^EvtxECmd JSON output/);
    expect(whyNotALog(bytes(`${columns}\r\n`))).toMatch(/^EvtxECmd CSV output/);
    const { dests, stderr, status } = scanAllWays(join(root, "out"));
    expect(dests).toEqual([]);
    expect(status).toBe(2);
    expect(stderr).toContain("_EvtxECmd_Output.json: EvtxECmd JSON output (its Payload column holds the event data");
    expect(stderr).toContain("_EvtxECmd_Output.csv: EvtxECmd CSV output");
    expect(stderr).toContain("nothing was scanned");
    // Named, it is a problem with that reason.
    const named = runCli(["scan", "--no-progress", join(root, "out/EventLogs/20241016095112_EvtxECmd_Output.json")]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain("scan the .evtx files it was made from");
  });
});

/**
 * How to run the CLI as a user that file modes apply to: as is when not root; as root, through
 * setpriv (util-linux) as nobody, when nobody can run the CLI from this checkout; else undefined.
 */
function unprivilegedCli():
  | ((args: string[]) => { status: number | null; stdout: string; stderr: string })
  | undefined {
  if (process.getuid?.() !== 0) return (args) => runCli(args);
  const asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI];
  const probe = spawnSync("setpriv", [...asNobody, "--version"], { cwd: ROOT, encoding: "utf8" });
  if (probe.status !== 0) return undefined;
  return (args) => {
    const r = spawnSync("setpriv", [...asNobody, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

const cliWithModes = unprivilegedCli();

describe.skipIf(cliWithModes === undefined)(
  "files the scanning user may not read (as root: run as nobody by setpriv)",
  () => {
    it("an unreadable log and an unreadable folder in a KAPE tree are named, status 2, the rest scanned", () => {
      const root = scratchDir();
      chmodSync(root, 0o755);
      const logs = join(root, "kape", LOGS);
      put(root, `kape/${LOGS}/Microsoft-Windows-Sysmon%4Operational.evtx`, evtx(14));
      put(root, `kape/${LOGS}/Security.evtx`, evtx(15));
      put(root, `kape/${LOGS}/Archived/Archive-Security-2024-10-16-09-51-12-123.evtx`, evtx(16));
      for (const dir of [
        "kape",
        "kape/C",
        "kape/C/Windows",
        "kape/C/Windows/System32",
        "kape/C/Windows/System32/winevt",
        `kape/${LOGS}`,
      ])
        chmodSync(join(root, dir), 0o755);
      chmodSync(join(logs, "Microsoft-Windows-Sysmon%4Operational.evtx"), 0o644);
      chmodSync(join(logs, "Security.evtx"), 0o000);
      chmodSync(join(logs, "Archived"), 0o000);
      try {
        for (const engine of ["wasm", "reference"]) {
          const r = (cliWithModes as NonNullable<typeof cliWithModes>)([
            "scan",
            "-f",
            "jsonl",
            "--no-progress",
            "--engine",
            engine,
            join(root, "kape"),
          ]);
          expect(
            r.stdout
              .trim()
              .split("\n")
              .map((l) => JSON.parse(l).dest),
          ).toEqual(["ws14.corp.example"]);
          expect(r.status).toBe(2);
          expect(r.stderr).toContain(`${join(logs, "Security.evtx")}: permission denied`);
          expect(r.stderr).toContain(`${join(logs, "Archived")}: permission denied`);
          expect(r.stderr).toMatch(/1 input, .*, 2 problems/);
        }
      } finally {
        chmodSync(join(logs, "Archived"), 0o755);
      }
    });
  },
);

if (cliWithModes === undefined) {
  describe("files the scanning user may not read", () => {
    it.skip("skipped: running as root and setpriv (Debian: util-linux) cannot run the CLI as nobody here", () => {});
  });
}

/** A 7z archive of `files` (name: bytes), made by 7-Zip itself (7z-wasm, the scanner's own dependency). */
async function make7z(files: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const factory = (await import("7z-wasm")).default.default;
  const sevenZip = await factory({ print: () => {}, printErr: () => {} });
  sevenZip.FS.mkdir("/in");
  for (const [name, data] of Object.entries(files)) sevenZip.FS.writeFile(`/in/${name}`, data);
  sevenZip.FS.chdir("/in");
  const exitCode = process.exitCode;
  sevenZip.callMain(["a", "-t7z", "/out.7z", ...Object.keys(files)]);
  process.exitCode = exitCode;
  return sevenZip.FS.readFile("/out.7z");
}

describe("a DFIR-ORC archive (a 7z of 7z archives, files named ..._data)", () => {
  it("the log inside the inner archive is scanned; the CSV beside it is skipped", async () => {
    const inner = await make7z({
      "Microsoft-Windows-Sysmon%4Operational.evtx_00010000000103E1_80_0_data": evtx(18),
      "GetThis.csv": "ComputerName,VolumeID,FullName,SampleName\r\nWS18,0x1,\\Windows\\x.evtx,x_data\r\n",
    });
    const outer = await make7z({ "Event.7z": inner });
    const root = scratchDir();
    const orc = join(root, "ORC_WorkStation_WS18_General.7z");
    writeFileSync(orc, outer);
    const { dests, stderr, status } = scanAllWays(orc);
    expect(dests).toEqual(["ws18.corp.example"]);
    expect(status).toBe(1);
    expect(stderr).toContain("ORC_WorkStation_WS18_General.7z:Event.7z:GetThis.csv: CSV text");
  });
});
