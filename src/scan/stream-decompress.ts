/**
 * The decompressed content of an xz, bzip2 or Zstandard stream, as a stream, for the compressions
 * log collections come in besides gzip. Each codec is an npm package without native code, loaded
 * on first use (`import()`), so a run that meets none of them does not pay for it:
 *
 * - xz: xz-decompress (XZ Embedded compiled to WebAssembly, streaming; concatenated streams too).
 * - bzip2: unbzip2-stream (pure JavaScript; multi-stream files as pbzip2 writes them too).
 * - zstd: fzstd (pure JavaScript, streaming; several frames back to back too).
 *
 * Input is pulled with back-pressure from a {@link PeekableBytes}, so memory stays bounded by the
 * codec's window (xz: its dictionary, up to 64 MiB at `xz -9`; zstd: the frame's window; bzip2:
 * one 900 kB block). A stream cut short, corrupt, or followed by other bytes is a fault of the
 * compressed layer, after everything decoded before it was handed on.
 */

import { FaultMapper, type FaultOrigin, mapErrors } from "./byte-fault.js";
import { CodecError, decompressReason, type StreamCompression } from "./decompress-reason.js";
import { PeekableBytes } from "./peekable-bytes.js";

export type { StreamCompression } from "./decompress-reason.js";

/** A running decompressor: its output, and how to stop it. */
export interface DecompressedStream {
  /** The decompressed bytes; read errors are faults of `origin` (or of the input's layer). */
  readonly bytes: PeekableBytes;
  /** Stops decompressing (idempotent). */
  destroy(): void;
}

/** bzip2 input is fed in slices this small, so one write decodes a bounded number of blocks. */
const BZIP2_SLICE = 16 * 1024;

/** A push decoder's failure, with the output it gave before failing (handed on first). */
class DecodeFailure {
  constructor(
    readonly partial: Uint8Array[],
    readonly failure: unknown,
  ) {}
}

/**
 * Starts decompressing `input`, which begins with the magic of `compression`. `name` is the
 * compressed input's name as the user knows it, for messages.
 */
export function decompressStream(
  compression: StreamCompression,
  input: PeekableBytes,
  name: string,
  origin: FaultOrigin,
): DecompressedStream {
  const faults = new FaultMapper(origin, (err) => ({
    code: "LDS_E_CORRUPT_ARCHIVE",
    input: name,
    reason: decompressReason(compression, err),
  }));
  const state = { stopped: false, cancel: () => {} };
  const read = async (): Promise<Uint8Array | undefined> => {
    try {
      return await input.read();
    } catch (err) {
      faults.inputFailed(err);
      throw err;
    }
  };
  const decoded = compression === "xz" ? xzDecoded(read, state) : pushDecoded(compression, read, state);
  return {
    bytes: new PeekableBytes(mapErrors(decoded, (err) => faults.fault(err))),
    destroy: () => {
      state.stopped = true;
      state.cancel();
    },
  };
}

type Read = () => Promise<Uint8Array | undefined>;
type StopState = { stopped: boolean; cancel: () => void };

/** xz through xz-decompress's web stream, fed from `read`. */
async function* xzDecoded(read: Read, state: StopState): AsyncGenerator<Uint8Array> {
  const { XzReadableStream } = (await import("xz-decompress")).default;
  let inputError: unknown;
  let inputEnded = false;
  const compressed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await read();
          if (chunk === undefined) {
            inputEnded = true;
            controller.close();
          } else controller.enqueue(chunk);
        } catch (err) {
          inputError = err;
          controller.error(err);
        }
      },
    },
    { highWaterMark: 0 },
  );
  const reader = new XzReadableStream(compressed).getReader();
  state.cancel = () => void reader.cancel().catch(() => {});
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (err) {
        if (inputError !== undefined) throw inputError;
        throw new CodecError("xz", inputEnded, err);
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** A synchronous push decoder: write compressed bytes, get decompressed chunks back. */
interface PushDecoder {
  write(chunk: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
}

/** bzip2 or zstd: a push decoder fed from `read`. */
async function* pushDecoded(compression: "bzip2" | "zstd", read: Read, state: StopState): AsyncGenerator<Uint8Array> {
  const decoder = compression === "zstd" ? await zstdDecoder() : await bzip2Decoder();
  while (!state.stopped) {
    const chunk = await read();
    let out: Uint8Array[];
    try {
      out = chunk === undefined ? decoder.end() : decoder.write(chunk);
    } catch (err) {
      if (!(err instanceof DecodeFailure)) throw new CodecError(compression, chunk === undefined, err);
      for (const piece of err.partial) yield piece;
      throw new CodecError(compression, chunk === undefined, err.failure);
    }
    for (const piece of out) yield piece;
    if (chunk === undefined) return;
  }
}

async function zstdDecoder(): Promise<PushDecoder> {
  const { Decompress } = await import("fzstd");
  let out: Uint8Array[] = [];
  const decompress = new Decompress((chunk) => {
    out.push(chunk);
  });
  const take = () => {
    const taken = out;
    out = [];
    return taken;
  };
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      decompress.push(chunk, final);
    } catch (err) {
      throw new DecodeFailure(take(), err);
    }
    return take();
  };
  return {
    write: (chunk) => push(chunk, false),
    end: () => push(new Uint8Array(0), true),
  };
}

async function bzip2Decoder(): Promise<PushDecoder> {
  const unbzip2 = (await import("unbzip2-stream")).default;
  const stream = unbzip2();
  let out: Uint8Array[] = [];
  let failure: unknown;
  stream.on("data", (chunk: Uint8Array) => out.push(chunk));
  stream.on("error", (err: unknown) => {
    failure ??= err;
  });
  const take = () => {
    const taken = out;
    out = [];
    // What unbzip2-stream gave before it failed (whole blocks, up to ~9 MB at the end) goes first.
    if (failure !== undefined) throw new DecodeFailure(taken, failure);
    return taken;
  };
  return {
    write(chunk) {
      for (let at = 0; at < chunk.length && failure === undefined; at += BZIP2_SLICE) {
        stream.write(Buffer.from(chunk.buffer, chunk.byteOffset + at, Math.min(BZIP2_SLICE, chunk.length - at)));
      }
      return take();
    },
    end() {
      stream.end();
      return take();
    },
  };
}
