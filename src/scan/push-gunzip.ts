/**
 * gzip inflated synchronously, piece by piece, for createScanner's push: fflate's streaming
 * Gunzip (pure JavaScript, so the same code runs in browsers, and synchronous, which node:zlib's
 * streams are not). Several members back to back (`cat a.gz b.gz`) read as one stream, as
 * `gzip -d` does. Damage ends the inflation with one line for the scan's problems.
 */

import { Gunzip } from "fflate";
import { describeError } from "../errors.js";

/** A running inflater: push compressed bytes in, inflated bytes come out through `onData`. */
export class PushGunzip {
  readonly #inflater: Gunzip;
  #failed: string | undefined;
  #ended = false;

  /** `onData` receives inflated bytes (copy what you keep: fflate may reuse its buffer). */
  constructor(onData: (bytes: Uint8Array) => void) {
    this.#inflater = new Gunzip((data) => {
      if (data.length > 0) onData(data);
    });
  }

  /** Why inflation stopped, once it has (the rest of the input is then ignored). */
  get failure(): string | undefined {
    return this.#failed;
  }

  /** Inflates the next compressed bytes. Never throws for damaged data (see {@link failure}). */
  push(chunk: Uint8Array): void {
    if (this.#failed !== undefined || this.#ended) return;
    // A copy: fflate may keep the array for its next call, and the caller may reuse it.
    const own = chunk.slice();
    this.#run(() => this.#inflater.push(own, false));
  }

  /** Ends the input; a stream cut short becomes a failure. */
  end(): void {
    if (this.#failed !== undefined || this.#ended) return;
    this.#ended = true;
    this.#run(() => this.#inflater.push(new Uint8Array(0), true));
  }

  #run(step: () => void): void {
    try {
      step();
    } catch (err) {
      const message = describeError(err);
      this.#failed = /unexpected EOF/i.test(message)
        ? "unexpected end of file (truncated gzip)"
        : `corrupt gzip data (${message})`;
    }
  }
}
