/**
 * The page: takes dropped or picked files and folders, plans tasks (a file each; big plain text
 * files in shards, as the CLI), runs them on one Web Worker per core, shows progress, and renders
 * the rows, the timeline and the problems; the downloads are the CLI's own formatters' output.
 * Every byte is read here; the page's CSP (connect-src 'self') allows no upload.
 */

import {
  Aggregates,
  archiveKindOf,
  detectLogFormat,
  formatEvents,
  formatRows,
  type InputHit,
  loadMatcher,
  type Row,
  TABLE_COLUMNS,
  terminalText,
  toRows,
} from "../src/web/index.js";
import type { FromWorker, ScanTask, TaskResult, ToWorker } from "./protocol.js";

/**
 * Files above this are split into shards of this size (text formats only), as the CLI does
 * (32 MiB; `?shard=N` in the URL sets it, as `--shard-size` does, for tests).
 */
const SHARD_BYTES = Number(new URLSearchParams(location.search).get("shard")) || 32 * 1024 * 1024;
/** Head read to decide whether a big file can be sharded. */
const HEAD_BYTES = 64 * 1024;

/** A file with the name the CLI would print (its path inside the dropped folder). */
interface NamedFile {
  file: File;
  name: string;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let module: WebAssembly.Module | undefined;
let workers: Worker[] = [];
let running: { cancel(): void } | undefined;

function workerCount(): number {
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 16));
}

function startWorkers(): Promise<void> {
  for (const w of workers) w.terminate();
  workers = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < workerCount(); i++) {
    const worker = new Worker(new URL("./scan-worker.js", import.meta.url), { type: "module" });
    ready.push(
      new Promise((resolve) => {
        worker.addEventListener("message", function onReady(e: MessageEvent<FromWorker>) {
          if (e.data.type !== "ready") return;
          worker.removeEventListener("message", onReady);
          resolve();
        });
      }),
    );
    worker.postMessage({ type: "init", module: module! } satisfies ToWorker);
    workers.push(worker);
  }
  return Promise.all(ready).then(() => undefined);
}

/** Tasks for the files: big logs (not archives) split into shards: text at record starts, EVTX by chunks. */
async function plan(files: readonly NamedFile[]): Promise<ScanTask[]> {
  const tasks: ScanTask[] = [];
  for (const { file, name } of files) {
    if (file.size > SHARD_BYTES) {
      const head = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
      const format = archiveKindOf(head) === undefined ? detectLogFormat(head) : undefined;
      if (format !== undefined) {
        for (let start = 0; start < file.size; start += SHARD_BYTES) {
          const end = Math.min(file.size, start + SHARD_BYTES);
          tasks.push({ id: tasks.length, file, name, shard: { start, end, format } });
        }
        continue;
      }
    }
    tasks.push({ id: tasks.length, file, name });
  }
  // Largest first, so the last task to finish is a small one.
  const size = (t: ScanTask) => (t.shard ? t.shard.end - t.shard.start : t.file.size);
  return tasks.sort((a, b) => size(b) - size(a));
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

function showProgress(done: number, total: number, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? (total - done) / rate : 0;
  $<HTMLProgressElement>("progress").max = Math.max(total, 1);
  $<HTMLProgressElement>("progress").value = done;
  $("progress-text").textContent =
    `${formatBytes(done)} of ${formatBytes(total)}, ${(rate / 1e9).toFixed(2)} GB/s, ETA ${eta.toFixed(1)} s`;
}

/** Runs the tasks on the workers; resolves with every result (or rejects when cancelled). */
function runTasks(tasks: ScanTask[], onBytes: (n: number) => void): Promise<TaskResult[]> {
  return new Promise((resolve, reject) => {
    const results: TaskResult[] = [];
    let next = 0;
    let finished = 0;
    const give = (worker: Worker): void => {
      const task = tasks[next++];
      if (task !== undefined) worker.postMessage({ type: "scan", task } satisfies ToWorker);
    };
    const listeners: [Worker, (e: MessageEvent<FromWorker>) => void][] = [];
    for (const worker of workers) {
      const listener = (e: MessageEvent<FromWorker>): void => {
        const m = e.data;
        if (m.type === "progress") onBytes(m.bytes);
        else if (m.type === "result") {
          results.push(m.result);
          finished++;
          if (finished === tasks.length) {
            for (const [w, l] of listeners) w.removeEventListener("message", l);
            resolve(results);
          } else give(worker);
        }
      };
      worker.addEventListener("message", listener);
      listeners.push([worker, listener]);
      give(worker);
    }
    if (tasks.length === 0) resolve(results);
    running = {
      cancel() {
        for (const [w, l] of listeners) w.removeEventListener("message", l);
        // Workers mid-task are dropped at once; the next scan gets fresh ones.
        void startWorkers();
        reject(new Error("cancelled"));
      },
    };
  });
}

/**
 * A table cell. Values from logs are data: set as text (never HTML), and control and
 * bidirectional characters shown as `\xNN`/`\u{NNNN}`, as the CLI's table shows them (a host
 * name with U+202E must not read backwards).
 */
function cell(row: HTMLTableRowElement, text: string): void {
  row.insertCell().textContent = terminalText(text);
}

function renderRows(rows: readonly Row[]): void {
  const columns = rows.some((r) => r.carved) ? [...TABLE_COLUMNS, "carved" as const] : TABLE_COLUMNS;
  const head = $<HTMLTableElement>("rows").tHead!.rows[0]!;
  head.replaceChildren(
    ...columns.map((c) => {
      const th = document.createElement("th");
      th.textContent = c;
      return th;
    }),
  );
  const body = $<HTMLTableElement>("rows").tBodies[0]!;
  body.replaceChildren();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) cell(tr, r[c] === undefined ? "" : r[c] === null ? "-" : String(r[c]));
  }
}

function renderEvents(hits: readonly InputHit[]): void {
  const body = $<HTMLTableElement>("events").tBodies[0]!;
  body.replaceChildren();
  const lines = formatEvents(hits, "jsonl")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const e of lines) {
    const tr = body.insertRow();
    for (const key of ["time", "input", "member", "record_id", "offset", "dest", "process_name", "TargetFilename"]) {
      cell(tr, e[key] === null || e[key] === undefined ? "" : String(e[key]));
    }
    cell(tr, e["carved"] === true ? "carved" : "");
  }
}

function renderList(id: string, lines: readonly string[]): void {
  $(id).replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement("li");
      li.textContent = terminalText(line); // file names and messages quote log values too
      return li;
    }),
  );
}

const blobUrls: string[] = [];

/** Adds a download link `#id` for `text` (a blob: URL; nothing is sent anywhere). */
function offerDownload(id: string, label: string, fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  blobUrls.push(url);
  const link = document.createElement("a");
  link.id = id;
  link.href = url;
  link.download = fileName;
  link.textContent = label;
  $("downloads").append(link);
}

function resetOutput(): void {
  for (const url of blobUrls.splice(0)) URL.revokeObjectURL(url);
  $("downloads").replaceChildren();
  renderRows([]);
  renderEvents([]);
  renderList("problems", []);
  renderList("skipped", []);
  $("summary").textContent = "";
}

/** Which scan is the current one (a pick during a scan cancels it). */
let generation = 0;

async function scanFiles(files: readonly NamedFile[]): Promise<void> {
  const mine = ++generation;
  running?.cancel();
  resetOutput();
  document.body.dataset.state = "scanning";
  $<HTMLButtonElement>("cancel").disabled = false;
  const started = performance.now();
  const total = files.reduce((sum, f) => sum + f.file.size, 0);
  let done = 0;
  let shown = 0;
  showProgress(0, total, started);
  let cancelledWhilePlanning = false;
  running = {
    cancel() {
      cancelledWhilePlanning = true;
    },
  };
  try {
    const tasks = await plan(files);
    if (mine !== generation) return;
    if (cancelledWhilePlanning) throw new Error("cancelled");
    const results = await runTasks(tasks, (n) => {
      done += n;
      const now = performance.now();
      if (now - shown > 100) {
        shown = now;
        showProgress(done, total, started);
      }
    });
    const aggregates = new Aggregates();
    const hits: InputHit[] = [];
    const problems: string[] = [];
    const skipped: string[] = [];
    const malformed = new Map<string, number>();
    for (const r of results) {
      aggregates.merge(r.entries);
      hits.push(...r.hits);
      problems.push(...r.problems);
      skipped.push(...r.skipped.map((s) => `${s.name}: ${s.reason}`));
      for (const m of r.malformed) malformed.set(m.name, (malformed.get(m.name) ?? 0) + m.count);
    }
    // Never silent: damaged records that could have held a match, per file, as the CLI counts them.
    for (const [name, count] of malformed) {
      problems.push(`${name}: ${count} malformed record${count === 1 ? "" : "s"} skipped`);
    }
    const rows = toRows(aggregates.entries());
    renderRows(rows);
    renderEvents(hits);
    renderList("problems", problems.sort());
    renderList("skipped", skipped.sort());
    $("skipped-count").textContent = String(skipped.length);
    $("downloads").replaceChildren("Download: ");
    offerDownload(
      "download-jsonl",
      "rows (JSONL)",
      "lsass-dump-scan.jsonl",
      formatRows(rows, "jsonl"),
      "application/x-ndjson",
    );
    offerDownload("download-csv", "rows (CSV)", "lsass-dump-scan.csv", formatRows(rows, "csv"), "text/csv");
    offerDownload(
      "download-events",
      "events (JSONL)",
      "lsass-dump-scan-events.jsonl",
      formatEvents(hits, "jsonl"),
      "application/x-ndjson",
    );
    const seconds = (performance.now() - started) / 1000;
    showProgress(total, total, started);
    $("progress-text").textContent =
      `${formatBytes(total)} in ${seconds.toFixed(2)} s (${(total / 1e9 / Math.max(seconds, 1e-6)).toFixed(2)} GB/s)`;
    $("summary").textContent =
      `${rows.length} alert${rows.length === 1 ? "" : "s"} from ${hits.length} event${hits.length === 1 ? "" : "s"} in ${files.length} file${files.length === 1 ? "" : "s"}, ${problems.length} problem${problems.length === 1 ? "" : "s"}, ${skipped.length} skipped`;
    document.body.dataset.seconds = seconds.toFixed(3);
    document.body.dataset.state = "done";
  } catch {
    if (mine !== generation) return;
    $("progress-text").textContent = "Cancelled.";
    document.body.dataset.state = "cancelled";
  } finally {
    if (mine === generation) {
      running = undefined;
      $<HTMLButtonElement>("cancel").disabled = true;
    }
  }
}

/** Files of a dropped folder, with their paths, walked through the entries API. */
async function filesOfEntry(entry: FileSystemEntry, into: NamedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ file, name: entry.fullPath.replace(/^\//, "") });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await filesOfEntry(child, into);
  }
}

function namedFiles(list: FileList): NamedFile[] {
  return [...list].map((file) => ({ file, name: file.webkitRelativePath || file.name }));
}

async function main(): Promise<void> {
  renderRows([]);
  module = await loadMatcher(new URL("./matcher.wasm", import.meta.url));
  await startWorkers();
  for (const id of ["files", "folder"]) {
    $<HTMLInputElement>(id).addEventListener("change", (e) => {
      const input = e.target as HTMLInputElement;
      if (input.files !== null && input.files.length > 0) void scanFiles(namedFiles(input.files));
    });
  }
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const items = [...(e.dataTransfer?.items ?? [])];
    const entries = items.map((i) => i.webkitGetAsEntry()).filter((x): x is FileSystemEntry => x !== null);
    void (async () => {
      const files: NamedFile[] = [];
      for (const entry of entries) await filesOfEntry(entry, files);
      await scanFiles(files);
    })();
  });
  $("cancel").addEventListener("click", () => running?.cancel());
  document.body.dataset.state = "ready";
}

main().catch((err: unknown) => {
  $("progress-text").textContent = `Cannot start: ${err instanceof Error ? err.message : String(err)}`;
  document.body.dataset.state = "error";
});
