/**
 * The fleet test's harness: the fleet's processes (spawned with tsx from src/, each reporting JSON
 * lines), and an HTTP load driver on keep-alive sockets that records every answer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const FLEET_DIR = fileURLToPath(new URL('..', import.meta.url));

/** One JSON line a process reported. */
export type Reported = { event: string; at: number } & Record<string, unknown>;

/** A fleet process. */
export class FleetProcess {
  readonly proc: ChildProcess;
  readonly events: Reported[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    script: 'replica' | 'controller' | 'worker',
    config: object,
  ) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', `src/${script}.ts`, JSON.stringify(config)], {
      cwd: FLEET_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        try {
          this.events.push(JSON.parse(l) as Reported);
        } catch {
          this.stderr.push(`(stdout) ${l}`);
        }
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 200) this.stderr.shift();
    });
    this.exited = new Promise((res) => this.proc.once('exit', () => res()));
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends one command line to its stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /** The first reported event (after index `from`) that `match` accepts; waits up to `timeoutMs`. */
  async waitFor(match: (e: Reported) => boolean, what: string, timeoutMs = 60_000, from = 0): Promise<Reported> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(match);
      if (hit) return hit;
      if (!this.alive) throw new Error(`${this.name} exited while waiting for ${what}:\n${this.stderr.join('')}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name}: timed out waiting for ${what}:\n${this.stderr.join('')}`);
      await new Promise<void>((res) => {
        this.#waiters.push(res);
        setTimeout(res, 100);
      });
    }
  }

  /** Asks for a report (`stats`…) and waits for its answer. */
  async ask(command: string, event: string, timeoutMs = 30_000): Promise<Reported> {
    const from = this.events.length;
    this.send(command);
    return this.waitFor((e) => e.event === event, `${event} after "${command}"`, timeoutMs, from);
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/** One HTTP answer. */
export interface Answer {
  status: number;
  /** The `x-replica` header (which replica answered), when it came from one. */
  replica: string | undefined;
  body: Record<string, unknown> | undefined;
  /** Wall time at the start and end of the request (epoch ms). */
  startedAt: number;
  endedAt: number;
  /** Latency (ms, high resolution). */
  ms: number;
  /** A socket error instead of an answer. */
  error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs JSON to `base + path` on a keep-alive socket. Never throws: errors are answers with status 0. */
export function postJson(base: string, path: string, body: unknown): Promise<Answer> {
  const url = new URL(path, base);
  const payload = JSON.stringify(body);
  const startedAt = Date.now();
  const t0 = performance.now();
  return new Promise((resolve) => {
    const failed = (err: Error) =>
      resolve({
        status: 0,
        replica: undefined,
        body: undefined,
        startedAt,
        endedAt: Date.now(),
        ms: 0,
        error: err.message,
      });
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: Record<string, unknown> | undefined;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
          } catch {
            parsed = undefined;
          }
          const replica = res.headers['x-replica'];
          resolve({
            status: res.statusCode ?? 0,
            replica: typeof replica === 'string' ? replica : undefined,
            body: parsed,
            startedAt,
            endedAt: Date.now(),
            ms: performance.now() - t0,
          });
        });
        res.on('error', failed);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', failed);
    req.end(payload);
  });
}

/** The q-quantile (nearest rank) of `xs`. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Closes the driver's keep-alive sockets. */
export function closeDriver(): void {
  agent.destroy();
}
