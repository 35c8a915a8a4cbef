import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PdfWorkerInput, PdfWorkerOutput } from './pdf-worker.ts';

/**
 * Runs cleanPdf in worker threads: pdf-lib parses on the calling thread, so a hostile file would
 * otherwise stall every request. A worker can be stopped after a deadline and has its own heap limit.
 * Starting one costs ~0.3 s of CPU, so workers are reused for a while, then retired to free memory.
 */
const timeoutMs = 30_000;
const maxHeapMb = 512;
const poolSize = 2;
const idleMs = 30_000;
const maxJobsPerWorker = 100;

const workerExtension = extname(fileURLToPath(import.meta.url));
const workerEntry = new URL(`./pdf-worker${workerExtension}`, import.meta.url);
// Under tsx a worker does not inherit the TypeScript loader (Node 20), so it registers it itself.
const tsxApi = workerExtension === '.ts' ? import.meta.resolve('tsx/esm/api') : undefined;
const bootstrap = `
const { workerData } = require('node:worker_threads');
const ready = workerData.tsxApi ? import(workerData.tsxApi).then((tsx) => tsx.register()) : Promise.resolve();
ready.then(() => import(workerData.entry));
`;

/**
 * The clean copy (see pdf.ts), or undefined when the file cannot be read within the limits. Throws only
 * when a worker fails for another reason (a deployment problem, not the file's fault).
 */
export async function cleanPdfIsolated(
  data: Buffer,
  options: { timeoutMs?: number } = {},
): Promise<Buffer | undefined> {
  const worker = await pool.take();
  let reusable = false;
  try {
    const result = await runJob(worker, data, options.timeoutMs ?? timeoutMs);
    reusable = result.reusable;
    return result.clean;
  } finally {
    if (reusable) pool.giveBack(worker);
    else pool.discard(worker);
  }
}

interface JobResult {
  clean: Buffer | undefined;
  /** False after a timeout or crash: the worker may be stuck or half-broken. */
  reusable: boolean;
}

function runJob(worker: Worker, data: Buffer, timeout: number): Promise<JobResult> {
  return new Promise<JobResult>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      settle();
    };
    const onMessage = ({ clean }: PdfWorkerOutput) =>
      finish(() =>
        resolve({
          clean: clean ? Buffer.from(clean.buffer, clean.byteOffset, clean.byteLength) : undefined,
          reusable: true,
        }),
      );
    const onError = (error: Error & { code?: string }) =>
      finish(() =>
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? resolve({ clean: undefined, reusable: false })
          : reject(new Error('PDF worker failed', { cause: error })),
      );
    const onExit = () => finish(() => reject(new Error('PDF worker exited unexpectedly')));
    const timer = setTimeout(() => finish(() => resolve({ clean: undefined, reusable: false })), timeout);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    const input: PdfWorkerInput = { pdf: data };
    worker.postMessage(input);
  });
}

function startWorker(): Worker {
  return new Worker(bootstrap, {
    eval: true,
    workerData: { tsxApi, entry: workerEntry.href },
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  });
}

/** At most `poolSize` workers; callers beyond that wait for one to come free. */
class WorkerPool {
  readonly #live = new Set<Worker>();
  readonly #idle = new Map<Worker, NodeJS.Timeout>(); // idle worker → its retirement timer
  readonly #jobs = new WeakMap<Worker, number>();
  readonly #waiting: ((worker: Worker) => void)[] = [];

  take(): Promise<Worker> {
    const [idle] = this.#idle.keys();
    if (idle) {
      clearTimeout(this.#idle.get(idle));
      this.#idle.delete(idle);
      return Promise.resolve(idle);
    }
    if (this.#live.size < poolSize) return Promise.resolve(this.#spawn());
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  giveBack(worker: Worker): void {
    const jobs = (this.#jobs.get(worker) ?? 0) + 1;
    this.#jobs.set(worker, jobs);
    if (jobs >= maxJobsPerWorker) return this.discard(worker);
    const next = this.#waiting.shift();
    if (next) return next(worker);
    const retire = () => {
      this.#idle.delete(worker); // before it exits, so that take() cannot hand it out meanwhile
      this.discard(worker);
    };
    this.#idle.set(worker, setTimeout(retire, idleMs).unref());
  }

  /** Its place is freed once it has exited. */
  discard(worker: Worker): void {
    void worker.terminate();
  }

  #spawn(): Worker {
    const worker = startWorker();
    worker.unref(); // an idle worker must not keep the process alive
    this.#live.add(worker);
    // Without a listener an 'error' event would crash the app; jobs attach their own to report it.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      this.#live.delete(worker);
      clearTimeout(this.#idle.get(worker));
      this.#idle.delete(worker);
      const next = this.#waiting.shift();
      if (next) next(this.#spawn());
    });
    return worker;
  }
}

const pool = new WorkerPool();
