import { AppError } from './errors.ts';

/**
 * Runs at most `slots` jobs at once; the rest wait in line, urgent ones first. A line that is full
 * refuses new work with `unavailable` instead of letting waiting requests pile up without end.
 */
export class ConcurrencyLimit {
  readonly #slots: number;
  readonly #maxWaiting: number;
  #running = 0;
  readonly #urgent: (() => void)[] = [];
  readonly #normal: (() => void)[] = [];

  constructor(slots: number, maxWaiting = Number.POSITIVE_INFINITY) {
    this.#slots = slots;
    this.#maxWaiting = maxWaiting;
  }

  async run<T>(work: () => Promise<T>, priority: 'urgent' | 'normal' = 'normal'): Promise<T> {
    if (this.#running < this.#slots) this.#running++;
    else await this.#wait(priority === 'urgent' ? this.#urgent : this.#normal);
    try {
      return await work();
    } finally {
      // A finishing job hands its slot straight to the next in line.
      const next = this.#urgent.shift() ?? this.#normal.shift();
      if (next) next();
      else this.#running--;
    }
  }

  #wait(line: (() => void)[]): Promise<void> {
    if (line.length >= this.#maxWaiting) throw new AppError('unavailable');
    return new Promise((resolve) => line.push(resolve));
  }
}
