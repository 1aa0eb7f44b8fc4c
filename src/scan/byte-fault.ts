/**
 * A failure inside a stack of byte streams (file -> gunzip -> tar -> member -> ...), tagged with
 * the layer that failed. When a read fails, every layer above the broken one sees the same error;
 * the tag lets each layer tell "my own bytes are bad, I stop and report" from "the stream I read
 * from broke, my parent reports", so one broken input gives exactly one report, and an archive
 * whose own bytes are intact goes on past a broken member.
 */

import { type ErrorCode, ScanError } from "../errors.js";

/** An opaque identity for one layer (an archive, or one zip member); compared by reference. */
export type FaultOrigin = object;

/** A read failure of one layer; internal to src/scan (callers see {@link ScanError}s). */
export class ByteFault extends Error {
  /** The layer whose bytes are bad. */
  readonly origin: FaultOrigin;
  readonly code: ErrorCode;
  /** What failed, as the user names it: `x.tar.gz` or `x.tar.gz:member.json`. */
  readonly input: string;
  /** One line, without the input's name. */
  readonly reason: string;
  /** Set once the consumer was told (thrown from a member's chunks), so no layer reports it again. */
  delivered = false;

  constructor(origin: FaultOrigin, code: ErrorCode, input: string, reason: string, cause?: unknown) {
    super(`${input}: ${reason}`, { cause });
    this.name = "ByteFault";
    this.origin = origin;
    this.code = code;
    this.input = input;
    this.reason = reason;
  }

  /** The fault as the public error, naming `input` (default: the failing layer). */
  toScanError(input = this.input): ScanError {
    return new ScanError(this.code, `${input}: ${this.reason}`, input, { cause: this });
  }
}

/**
 * Maps the errors of one layer to a single fault: the first error of the layer's input wins
 * (recorded with {@link FaultMapper.inputFailed}, passed on untouched), else the layer's own
 * fault, made once and then reused, so every later symptom of the same break is the same object.
 */
export class FaultMapper {
  #inputFault: unknown;
  #ownFault: ByteFault | undefined;

  constructor(
    readonly origin: FaultOrigin,
    private readonly describe: (err: unknown) => { code: ErrorCode; input: string; reason: string },
  ) {}

  /** Records that the layer's input failed with `err` (the parent's fault). */
  inputFailed(err: unknown): void {
    this.#inputFault ??= err;
  }

  /** The fault to throw for `err`, seen anywhere in this layer. */
  fault(err: unknown): unknown {
    if (this.#inputFault !== undefined) return this.#inputFault;
    if (err instanceof ByteFault) return err;
    if (this.#ownFault === undefined) {
      const { code, input, reason } = this.describe(err);
      this.#ownFault = new ByteFault(this.origin, code, input, reason, err);
    }
    return this.#ownFault;
  }
}

/** Wraps an async iterable so that whatever it throws goes through `mapError` first. */
export async function* mapErrors<T>(source: AsyncIterable<T>, mapError: (err: unknown) => unknown): AsyncGenerator<T> {
  try {
    for await (const item of source) yield item;
  } catch (err) {
    throw mapError(err);
  }
}
