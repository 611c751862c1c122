interface Pending<I, R> {
  item: I;
  key: string;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupBatcherOptions<I, R> {
  /** Items per batch. */
  maxBatch: number;
  /** Batches of one group in flight at once. */
  maxInFlight: number;
  /** The identity of an item: a batch never holds two items with one key (they go in turn). */
  keyOf: (item: I) => string;
  /** Runs one batch of a group; results by key. A key missing from the map rejects its caller. */
  run: (group: string, items: I[]) => Promise<Map<string, R>>;
}

/**
 * Coalesces calls that arrive together into batches, per group (here: per kommun, since a database
 * transaction belongs to one kommun). The first call of a quiet moment waits one turn of the event
 * loop for company; while a group's batches are in flight, its new calls queue for the next one.
 * On this machine a database round trip costs far more than the SQL inside it, so this is where
 * many concurrent requests get cheap.
 */
export class GroupBatcher<I, R> {
  private readonly queues = new Map<string, Pending<I, R>[]>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: GroupBatcherOptions<I, R>) {}

  submit(group: string, item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(group) ?? [];
      queue.push({ item, key: this.options.keyOf(item), resolve, reject });
      this.queues.set(group, queue);
      if (queue.length === 1) setImmediate(() => this.pump(group));
    });
  }

  private pump(group: string): void {
    const queue = this.queues.get(group);
    while (queue && queue.length > 0 && (this.inFlight.get(group) ?? 0) < this.options.maxInFlight) {
      const batch: Pending<I, R>[] = [];
      const keys = new Set<string>();
      for (let i = 0; i < queue.length && batch.length < this.options.maxBatch;) {
        if (keys.has(queue[i].key)) {
          i++;
          continue;
        }
        keys.add(queue[i].key);
        batch.push(...queue.splice(i, 1));
      }
      this.inFlight.set(group, (this.inFlight.get(group) ?? 0) + 1);
      void this.runBatch(group, batch).finally(() => {
        this.inFlight.set(group, (this.inFlight.get(group) ?? 1) - 1);
        this.pump(group);
      });
    }
    if (queue && queue.length === 0 && !this.inFlight.get(group)) this.queues.delete(group);
  }

  private async runBatch(group: string, batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await this.options.run(
        group,
        batch.map((p) => p.item),
      );
      for (const p of batch) {
        if (results.has(p.key)) p.resolve(results.get(p.key)!);
        else p.reject(new MissingResult(p.key));
      }
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    }
  }
}

/** The batch ran but had no result for this item. */
export class MissingResult extends Error {
  constructor(readonly key: string) {
    super('no result for this item in its batch');
  }
}
