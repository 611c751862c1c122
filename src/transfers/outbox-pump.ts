import { Logger } from '@nestjs/common';
import { loggableError } from '../common/problem/error-mapping';
import type { JobQueue } from '../jobs/job-queue.service';

/**
 * Drives one outbox per kommun: `drain(kommun)` works off everything due, then queues a durable
 * wake-up (pg-boss, in PostgreSQL) for when the next item falls due. The rows are the truth and the
 * jobs only wake the pump, so a lost or duplicate wake-up costs nothing: a starting instance drains
 * every kommun, and items are claimed under a lease, so two pumps never work on the same item.
 *
 * `kick` drains at once in this process (no polling delay for a registrar waiting on a screen);
 * the queue is the durable path. One drain per kommun at a time here: a kick during a drain makes
 * it go round once more.
 */
export class OutboxPump {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private stopped = false;
  private readonly logger: Logger;

  constructor(
    private readonly name: string,
    private readonly queue: JobQueue,
    private readonly worker: boolean,
    private readonly step: (kommunCode: string) => Promise<number>,
    private readonly nextDue: (kommunCode: string) => Promise<Date | undefined>,
    private readonly lanes = 1,
  ) {
    this.logger = new Logger(name);
  }

  /** For the job handler: drains and resolves when this kommun's outbox has nothing due. */
  drain(kommunCode: string): Promise<void> {
    const current = this.running.get(kommunCode);
    if (current) {
      this.again.add(kommunCode);
      return current;
    }
    const run = this.run(kommunCode).finally(() => this.running.delete(kommunCode));
    this.running.set(kommunCode, run);
    return run;
  }

  /** Something was added: drain now here (or, on an instance that works no jobs, wake a worker). */
  kick(kommunCode: string): void {
    if (this.stopped) return;
    if (!this.worker) {
      void this.queue.send(this.name, { kommunCode }).catch((err: unknown) => this.report(err));
      return;
    }
    this.drain(kommunCode).catch((err: unknown) => {
      this.report(err);
      // The durable path takes over: try again shortly.
      void this.queue
        .send(this.name, { kommunCode }, undefined, { startAfter: new Date(Date.now() + 5000) })
        .catch(() => undefined);
    });
  }

  /** Lets drains in progress finish their current items; starts no new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(kommunCode: string): Promise<void> {
    const lane = async () => {
      while (!this.stopped && (await this.step(kommunCode)) > 0) {
        // keep going while items come
      }
    };
    do {
      this.again.delete(kommunCode);
      // Lanes side by side, each claiming its own items under a lease: one seals while another
      // waits on the network, and the database commits their writes together.
      await Promise.all(Array.from({ length: this.lanes }, lane));
    } while (this.again.has(kommunCode) && !this.stopped);
    const next = await this.nextDue(kommunCode);
    if (next) {
      await this.queue.send(this.name, { kommunCode }, undefined, {
        startAfter: new Date(Math.max(next.getTime(), Date.now())),
      });
    }
  }

  private report(err: unknown): void {
    if (this.stopped) return;
    this.logger.error({ err: loggableError(err) }, 'outbox drain failed; it is retried');
  }
}
