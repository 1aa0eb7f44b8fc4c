/**
 * A byte stream that can be peeked at before it is handed on: we must read an input's first
 * bytes to learn what it is (gzip? tar? JSON?) and then give the reader of that content every
 * byte from offset 0. Reads are serialized, so a layer that gives up half way and the parent that
 * then skips the rest of the member never pull from the source at the same time, and an error is
 * sticky: once the source failed, every later read throws the same error.
 */

/** Something bytes can be written into with back-pressure (a Node or streamx Writable). */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(err?: Error): unknown;
  readonly destroyed: boolean;
  once(event: "drain" | "close" | "error", listener: () => void): unknown;
  off(event: "drain" | "close" | "error", listener: () => void): unknown;
}

/** A one-pass byte stream with look-ahead; see the module comment. */
export class PeekableBytes {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #failed = false;
  #error: unknown;
  #lastPull: Promise<unknown> = Promise.resolve();

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** True once every byte was read and the source ended (or failed). */
  get finished(): boolean {
    return this.#queue.length === 0 && (this.#ended || this.#failed);
  }

  /**
   * The first `n` bytes not yet read (fewer at the end of the stream), without consuming them.
   * When the source fails after some bytes, those are returned and the error waits for the
   * {@link read} that comes after them (so what precedes a truncation is still read); when it
   * fails before any byte, peek throws it.
   */
  async peek(n: number): Promise<Uint8Array> {
    while (this.#queued < n && !this.#ended && !this.#failed) {
      let chunk: Uint8Array | undefined;
      try {
        chunk = await this.#pull();
      } catch (err) {
        if (this.#queue.length === 0) throw err;
        break;
      }
      if (chunk === undefined) break;
      this.#queue.push(chunk);
      this.#queued += chunk.length;
    }
    const first = this.#queue[0];
    if (first === undefined) return new Uint8Array(0);
    if (first.length >= n || this.#queue.length === 1) return first.subarray(0, Math.min(n, first.length));
    const head = new Uint8Array(Math.min(n, this.#queued));
    let at = 0;
    for (const chunk of this.#queue) {
      if (at >= head.length) break;
      const take = Math.min(chunk.length, head.length - at);
      head.set(take === chunk.length ? chunk : chunk.subarray(0, take), at);
      at += take;
    }
    return head;
  }

  /** The next chunk (peeked chunks first), or undefined at the end. Throws what the source throws. */
  async read(): Promise<Uint8Array | undefined> {
    const queued = this.#queue.shift();
    if (queued !== undefined) {
      this.#queued -= queued.length;
      return queued;
    }
    return this.#pull();
  }

  /** All the chunks not yet read, in order. Ending the loop early leaves the source open. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = await this.read();
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /** Reads and discards the rest. Throws what the source throws. */
  async drain(): Promise<void> {
    while ((await this.read()) !== undefined) {}
  }

  /**
   * Writes the rest into `sink` with back-pressure and ends it; stops when the sink is destroyed.
   * Never rejects: when the source fails, `onSourceError` hears of it first, then the sink is
   * ended, so what it was given before is still read (a tar whose gzip lost its trailer: every
   * member); the sink's own reader reports the failure.
   */
  async pipeTo(sink: ByteSink, onSourceError: (err: unknown) => void): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.read();
        if (sink.destroyed) return;
        if (chunk === undefined) {
          sink.end();
          return;
        }
        if (!sink.write(chunk)) await writableAgain(sink);
      }
    } catch (err) {
      onSourceError(err);
      if (!sink.destroyed) sink.end();
    }
  }

  /** One chunk from the source, after any pull already under way; skips empty chunks. */
  #pull(): Promise<Uint8Array | undefined> {
    const pull = this.#lastPull.then(() => this.#pullNow());
    this.#lastPull = pull.catch(() => undefined);
    return pull;
  }

  async #pullNow(): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.#failed) throw this.#error;
      if (this.#ended) return undefined;
      let result: IteratorResult<Uint8Array>;
      try {
        result = await this.#source.next();
      } catch (err) {
        this.#failed = true;
        this.#error = err;
        throw err;
      }
      if (result.done) {
        this.#ended = true;
        return undefined;
      }
      if (result.value.length > 0) return result.value;
    }
  }
}

/** Resolves when `sink` wants more data, or is gone. */
function writableAgain(sink: ByteSink): Promise<void> {
  return new Promise((resolve) => {
    if (sink.destroyed) {
      resolve();
      return;
    }
    const done = () => {
      sink.off("drain", done);
      sink.off("close", done);
      sink.off("error", done);
      resolve();
    };
    sink.once("drain", done);
    sink.once("close", done);
    sink.once("error", done);
  });
}
