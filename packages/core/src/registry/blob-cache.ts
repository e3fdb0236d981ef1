/** A byte-bounded LRU of verified, immutable (content-addressed) blobs, keyed by sha256. */
export class BlobCache {
  private readonly map = new Map<string, Uint8Array>();
  private bytes = 0;

  /** @param maxBytes the budget in bytes (0 disables the cache). */
  constructor(private readonly maxBytes: number) {}

  /** The cached bytes of `sha256`, refreshed as most recently used. */
  get(sha256: string): Uint8Array | undefined {
    const v = this.map.get(sha256);
    if (v) {
      this.map.delete(sha256);
      this.map.set(sha256, v);
    }
    return v;
  }

  /** Caches `bytes` (already verified) if they fit in the budget. */
  set(sha256: string, bytes: Uint8Array): void {
    if (bytes.length > this.maxBytes || this.map.has(sha256)) return;
    this.map.set(sha256, bytes);
    this.bytes += bytes.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }

  /** Drops everything. */
  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
