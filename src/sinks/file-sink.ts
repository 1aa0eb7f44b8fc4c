/**
 * Rows to a file (`--output`). The file is written whole when the sink closes (a half-written
 * table is worse than none); a failure rejects with ScanError LDS_E_SINK naming the file.
 */

import { writeFile } from "node:fs/promises";
import type { RowFormat } from "./row-format.js";
import { TextRowSink } from "./text-sink.js";

/** A sink that writes rows in `format` to the file at `path`, replacing it. */
export function createFileSink(path: string, format: RowFormat): TextRowSink {
  const parts: string[] = [];
  return new TextRowSink(
    path,
    format,
    async (text) => {
      parts.push(text);
    },
    async () => {
      await writeFile(path, parts.join(""));
    },
  );
}
