/**
 * The one cap on the jobs a replica runs at once (WORKER_CONCURRENCY), shared by every job worker of
 * the service (the conversation service's chat and relay workers count against the same slots).
 * Listeners hear when it becomes full and when it has room again; a job that arrived while it was
 * full can wait in line for the next free slot.
 */
export class WorkerCapacity {
  private used = 0;
  private readonly line: Array<() => void> = [];
  private readonly listeners = new Set<(full: boolean) => void>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a worker capacity is a whole number of jobs, at least 1');
  }

  /** Jobs running now. */
  get running(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.limit;
  }

  /** Jobs waiting in line for a slot. */
  get waiting(): number {
    return this.line.length;
  }

  /** Takes a slot when there is one. */
  tryTake(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    if (this.used === this.limit) this.emit(true);
    return true;
  }

  /**
   * Waits in line for a slot: `granted` runs (with the slot taken) when a running job gives its slot
   * back. Returns the function that leaves the line (a cancelled or timed-out wait).
   */
  enqueue(granted: () => void): () => void {
    this.line.push(granted);
    return () => {
      const at = this.line.indexOf(granted);
      if (at >= 0) this.line.splice(at, 1);
    };
  }

  /** Gives a slot back: to the first job in line, else free (and the capacity has room again). */
  release(): void {
    const next = this.line.shift();
    if (next) return next();
    if (this.used === 0) return;
    this.used--;
    if (this.used === this.limit - 1) this.emit(false);
  }

  /** Hears every change between full and not full; returns the function that stops listening. */
  onChange(listener: (full: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(full: boolean): void {
    for (const listener of this.listeners) listener(full);
  }
}

/** The Nest provider of a service's one WorkerCapacity, from its config's WORKER_CONCURRENCY. */
export function workerCapacityProvider(configToken: string | symbol) {
  return {
    provide: WorkerCapacity,
    useFactory: (config: { WORKER_CONCURRENCY: number }) => new WorkerCapacity(config.WORKER_CONCURRENCY),
    inject: [configToken],
  };
}
