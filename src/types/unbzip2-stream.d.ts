/**
 * unbzip2-stream ships no types: the one function we call, returning a through-style stream
 * (write compressed bytes, hear `data` with decompressed ones, `error` when the data is bad).
 */

declare module "unbzip2-stream" {
  import type { EventEmitter } from "node:events";

  interface Unbzip2Stream extends EventEmitter {
    write(chunk: Uint8Array): boolean;
    end(): void;
  }

  function unbzip2Stream(): Unbzip2Stream;
  export default unbzip2Stream;
}
