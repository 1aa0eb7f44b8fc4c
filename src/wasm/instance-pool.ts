/**
 * Wasm instances of finished scanners, kept for the next scanner of the same kind. Every live
 * scanner still owns its instance alone (nothing is shared while in use); what this saves is
 * making a fresh memory for each short input: instantiating and zeroing a matcher's ~6 MiB of
 * memory costs about as long as scanning 16 MiB (bench/RESULTS.md, embed rows).
 */

/** Free instances kept per kind: enough for a few scanners in turn, bounded memory. */
const KEEP = 4;

/** Free instances by kind (module and size). */
export class InstancePool<T> {
  readonly #free = new Map<WebAssembly.Module, Map<number, T[]>>();

  /** A free instance of this kind, or a new one from `make`. */
  acquire(module: WebAssembly.Module, size: number, make: () => T): T {
    return this.#free.get(module)?.get(size)?.pop() ?? make();
  }

  /** Hands an instance back once its scanner is done with it. */
  release(module: WebAssembly.Module, size: number, instance: T): void {
    let bySize = this.#free.get(module);
    if (bySize === undefined) {
      bySize = new Map();
      this.#free.set(module, bySize);
    }
    const list = bySize.get(size) ?? [];
    if (list.length < KEEP) list.push(instance);
    bySize.set(size, list);
  }
}
