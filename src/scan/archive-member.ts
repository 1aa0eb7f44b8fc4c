/**
 * What an archive reader hands on for each entry, whatever the archive format: a member's bytes to
 * look into, or a note about an entry that is not read (a link, an encrypted file).
 */

import type { ScanError } from "../errors.js";
import type { FaultOrigin } from "./byte-fault.js";
import type { PeekableBytes } from "./peekable-bytes.js";

/** One entry of an archive, in archive order. */
export type ArchiveMember =
  | {
      kind: "data";
      /** The member's path inside the archive, as stored (`logs/a.json`). */
      name: string;
      /** Uncompressed size as the archive states it, when it does. */
      size: number | undefined;
      bytes: PeekableBytes;
      /**
       * Faults with this origin end only this member (zip: members are independent). When it is
       * the archive's own origin (tar: one stream), a bad member ends the archive.
       */
      origin: FaultOrigin;
    }
  | { kind: "problem"; name: string; error: ScanError }
  | { kind: "skipped"; name: string; reason: string }
  /** About the archive itself, once all its members were read (trailing bytes after a zip, ...). */
  | { kind: "warning"; message: string };
