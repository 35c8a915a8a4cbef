import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { PreparedRequest } from './forms.ts';

/** One autocannon run, with its event emitter (for per-response figures) and its result. */
function launch(options: autocannon.Options): {
  instance: autocannon.Instance;
  done: Promise<autocannon.Result>;
} {
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(options, (error: unknown, result: autocannon.Result) => {
    if (error) fail(error);
    else finish(result);
  });
  return { instance, done };
}

export interface Throughput {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
}

/** As many GETs as `connections` keep-alive connections can do; autocannon's own figures. */
export async function measureThroughput(options: {
  url: string;
  path: string;
  durationS: number;
  connections: number;
}): Promise<Throughput> {
  const { done } = launch({
    url: `${options.url}${options.path}`,
    connections: options.connections,
    duration: options.durationS,
  });
  const result = await done;
  return {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

/** Raw latencies and status codes of every response, so percentiles are exact. */
export class Samples {
  readonly latencies: number[] = [];
  readonly statuses = new Map<number, number>();
  errors = 0;
  timeouts = 0;
  sent = 0;
  wallSeconds = 0;

  record(status: number, latencyMs: number): void {
    this.latencies.push(latencyMs);
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  get count(): number {
    return this.latencies.length;
  }

  countOf(status: number): number {
    return this.statuses.get(status) ?? 0;
  }

  /** Nearest-rank percentile of all recorded latencies, in ms. */
  percentile(fraction: number): number {
    if (this.latencies.length === 0) return Number.NaN;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
  }

  statusSummary(): string {
    return [...this.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ');
  }
}

export type RequestFactory = (index: number) => {
  method: 'GET' | 'POST';
  path: string;
  prepared?: PreparedRequest;
};

function requestFrom(factory: RequestFactory, counter: { next: number }) {
  return (request: autocannon.Request): autocannon.Request => {
    const { method, path, prepared } = factory(counter.next++);
    if (!prepared) return { ...request, method, path };
    return {
      ...request,
      method,
      path,
      body: prepared.body,
      headers: {
        ...request.headers,
        'content-type': 'application/x-www-form-urlencoded',
        ...(prepared.cookie ? { cookie: prepared.cookie } : {}),
        ...(prepared.address ? { 'x-forwarded-for': prepared.address } : {}),
      },
    };
  };
}

/**
 * A fixed request rate with evenly spaced arrivals: `rate` autocannon instances with one keep-alive
 * connection each, sending one request a second, started 1000/rate ms apart. (A single instance with
 * `overallRate` sends each second's requests back to back, and its coordinated-omission correction
 * assumes a 1 ms interval, which distorts the percentiles; see autocannon lib/run.js.)
 */
export async function paced(options: {
  url: string;
  rate: number;
  durationS: number;
  request: RequestFactory;
  /** Stops the run early when this settles. */
  until?: Promise<unknown>;
  /** Sent with every request (a staff session cookie). */
  headers?: Record<string, string>;
}): Promise<Samples> {
  const samples = new Samples();
  const counter = { next: 0 };
  const setupRequest = requestFrom(options.request, counter);
  const started = performance.now();
  const runs: Promise<autocannon.Result>[] = [];
  const instances: autocannon.Instance[] = [];
  const state = { stopped: false };
  const stop = () => {
    state.stopped = true;
    for (const instance of instances) instance.stop();
  };
  const isStopped = () => state.stopped;
  void options.until?.then(stop, stop);
  for (let i = 0; i < options.rate; i++) {
    if (i > 0) await delay(1000 / options.rate);
    if (isStopped()) break;
    const { instance, done } = launch({
      url: options.url,
      connections: 1,
      connectionRate: 1,
      duration: options.durationS,
      ignoreCoordinatedOmission: true,
      ...(options.headers ? { headers: options.headers } : {}),
      requests: [{ setupRequest }],
    });
    instance.on('response', (_client, status, _bytes, latency) => samples.record(status, latency));
    instances.push(instance);
    runs.push(done);
  }
  for (const result of await Promise.all(runs)) {
    samples.errors += result.errors;
    samples.timeouts += result.timeouts;
    samples.sent += result.requests.sent;
  }
  samples.wallSeconds = (performance.now() - started) / 1000;
  return samples;
}

/** As fast as `connections` connections go, for `durationS` seconds or `amount` requests. */
export async function flood(options: {
  url: string;
  connections: number;
  durationS: number;
  amount?: number;
  request: RequestFactory;
}): Promise<Samples> {
  const samples = new Samples();
  const started = performance.now();
  const { instance, done } = launch({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    ...(options.amount ? { amount: options.amount } : {}),
    requests: [{ setupRequest: requestFrom(options.request, { next: 0 }) }],
  });
  instance.on('response', (_client, status, _bytes, latency) => samples.record(status, latency));
  const result = await done;
  samples.errors = result.errors;
  samples.timeouts = result.timeouts;
  samples.sent = result.requests.sent;
  samples.wallSeconds = (performance.now() - started) / 1000;
  return samples;
}
