/**
 * The rule's filter macro (`creation_of_lsass_dump_with_taskmgr_filter`): a user's list of
 * known false positives, applied to rows after aggregation.
 *
 * File format (one rule a line; blank lines and `#` comments ignored):
 *
 *     # field=pattern [AND field=pattern ...]
 *     dest=ADMIN-WS*
 *     TargetFilename=*\Debug\*
 *     dest=BUILD-* AND process_name=taskmgr.exe
 *
 * Fields are a row's group-by fields (dest, object_category, process_name, TargetFilename),
 * named ignoring case. Patterns match the whole value, ignoring case, with Splunk-style `*`
 * wildcards (any run of characters, also none); every other character is literal. A row is
 * dropped when every condition of at least one line matches it.
 */

import { readFileSync } from "node:fs";
import { describeError, ScanError } from "../errors.js";
import type { Row } from "./row.js";

/** Row fields a suppression may name. */
export const SUPPRESSIBLE_FIELDS = ["dest", "object_category", "process_name", "TargetFilename"] as const;
type SuppressibleField = (typeof SUPPRESSIBLE_FIELDS)[number];

/** ` and dest=`, ` OR process_name=`, ` && ...`: a second condition joined by something else than AND. */
const JOINED_CONDITION = new RegExp(`\\s(and|or|&&|\\|\\|)\\s+(?:${SUPPRESSIBLE_FIELDS.join("|")})\\s*=`, "gi");

interface Condition {
  field: SuppressibleField;
  pattern: string;
  regex: RegExp;
}

/**
 * A parsed suppression list.
 *
 * @example
 * ```ts
 * const suppression: Suppression = parseSuppression("dest=ADMIN-WS*");
 * ```
 */
export interface Suppression {
  /** Each entry is one line: all of its conditions must hold. */
  readonly rules: readonly (readonly Condition[])[];
}

/** Turns a `*` wildcard pattern into an anchored, case-insensitive regular expression. */
export function wildcardRegex(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, "\\$&"))
    .join("[\\s\\S]*");
  return new RegExp(`^${body}$`, "iu");
}

/**
 * Parses suppression text. `source` names the file in error messages.
 * Throws ScanError(LDS_E_SUPPRESS_FILE) naming the line for anything it cannot read.
 *
 * @example
 * ```ts
 * const suppression = parseSuppression("dest=BUILD-01.corp.example AND process_name=taskmgr.exe");
 * ```
 */
export function parseSuppression(text: string, source = "suppression list"): Suppression {
  const rules: Condition[][] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const bad = (why: string) =>
      new ScanError("LDS_E_SUPPRESS_FILE", `${source}:${index + 1}: ${why}, got "${line}"`, source);
    // A rule that can never match is worse than an error: the alerts it was meant to drop stay,
    // and the user believes them handled.
    if (/^AND\s|\sAND$|^AND$/.test(line)) throw bad("AND joins two field=pattern conditions");
    for (const joined of line.matchAll(JOINED_CONDITION))
      if (joined[1] !== "AND") throw bad("conditions are joined with AND (upper case); for OR write one rule a line");
    const conditions = line.split(/\s+AND\s+/).map((part) => {
      const eq = part.indexOf("=");
      const name = eq < 0 ? "" : part.slice(0, eq).trim();
      const field = SUPPRESSIBLE_FIELDS.find((f) => f.toLowerCase() === name.toLowerCase());
      if (field === undefined) {
        throw new ScanError(
          "LDS_E_SUPPRESS_FILE",
          `${source}:${index + 1}: expected field=pattern with field one of ${SUPPRESSIBLE_FIELDS.join(", ")}, got "${part}"`,
          source,
        );
      }
      const pattern = part.slice(eq + 1).trim();
      return { field, pattern, regex: wildcardRegex(pattern) };
    });
    rules.push(conditions);
  });
  return { rules };
}

/**
 * Reads and parses a suppression file; errors name the file.
 *
 * @example
 * ```ts
 * await scan(["logs/"], { suppression: loadSuppression("known-fp.txt") });
 * ```
 */
export function loadSuppression(path: string): Suppression {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ScanError("LDS_E_SUPPRESS_FILE", `${path}: cannot read suppression file: ${describeError(err)}`, path);
  }
  return parseSuppression(text, path);
}

/**
 * True when some line of the list matches the row.
 *
 * @example
 * ```ts
 * const suppression = parseSuppression("dest=ADMIN-WS*");
 * const kept = rows.filter((row) => !isSuppressed(row, suppression));
 * ```
 */
export function isSuppressed(row: Row, suppression: Suppression): boolean {
  return suppression.rules.some((conditions) => conditions.every((c) => c.regex.test(row[c.field])));
}

/** Splits rows into those kept and the number dropped. */
export function applySuppression(
  rows: readonly Row[],
  suppression: Suppression | undefined,
): { kept: Row[]; dropped: number } {
  if (suppression === undefined) return { kept: [...rows], dropped: 0 };
  const kept = rows.filter((row) => !isSuppressed(row, suppression));
  return { kept, dropped: rows.length - kept.length };
}
