import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import xzpkg from "xz-decompress"; const { XzReadableStream } = xzpkg;
import * as fzstd from "fzstd";
import bz2 from "unbzip2-stream";
const F = "test/fixtures/archives/";
async function xz(buf) { const rs = new XzReadableStream(Readable.toWeb(Readable.from([buf]))); let out = []; try { for await (const c of rs) out.push(Buffer.from(c)); return "ok " + Buffer.concat(out).length; } catch (e) { return "err " + Buffer.concat(out).length + " " + e.message; } }
function zst(buf) { const out=[]; try { const d = new fzstd.Decompress((c) => out.push(c)); d.push(buf, false); d.push(new Uint8Array(0), true); return "ok " + Buffer.concat(out).length; } catch (e) { return "err " + Buffer.concat(out).length + " " + e.message; } }
async function bz(buf) { const out=[]; let err; const t = bz2(); t.on("data", c => out.push(c)); t.on("error", e => { err ??= e; }); for (let i=0;i<buf.length && !err;i+=4096) { try { t.write(buf.subarray(i, i+4096)); } catch (e) { err ??= e; } } if (!err) try { t.end(); } catch (e) { err ??= e; } await new Promise(r => setImmediate(r)); return (err ? "err " + err.message : "ok") + " " + Buffer.concat(out).length; }
for (const [name, fn, file] of [["bz2", bz, "tp.json.bz2"]]) {
  const b = readFileSync(F + file);
  const flip = Buffer.from(b); flip[Math.floor(b.length/2)] ^= 0xff;
  console.log(name, "whole", await fn(b));
  console.log(name, "concat", await fn(Buffer.concat([b, b])));
  console.log(name, "trunc", await fn(b.subarray(0, b.length - 10)));
  console.log(name, "trunc-half", await fn(b.subarray(0, b.length >> 1)));
  console.log(name, "corrupt", await fn(flip));
  console.log(name, "trailing zeros", await fn(Buffer.concat([b, Buffer.alloc(7)])));
  console.log(name, "trailing nl", await fn(Buffer.concat([b, Buffer.from("\n")])));
}
