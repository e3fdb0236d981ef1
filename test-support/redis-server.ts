import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** True when `redis-server` is on the PATH. */
export const redisAvailable = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;

/** CI sets MODELSHIP_REQUIRE_REDIS=1: then a missing redis-server fails instead of skipping. */
export const requireRedis = process.env.MODELSHIP_REQUIRE_REDIS === '1';

/** Resolves true when something answers `PING` with `+PONG` on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      res(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    s.once('connect', () => s.write('PING\r\n'));
  });
}

/**
 * A throw-away `redis-server` on a free port of 127.0.0.1 (no persistence: `--save ''
 * --appendonly no`, in a temp dir), started and stopped by its owner. No vitest here, so plain
 * scripts can use it. `stop()` then `start()` restarts it on the same port (empty).
 */
export class RedisServer {
  private proc: ChildProcess | undefined;
  private dir: string | undefined;
  /** The port, once started (kept across restarts). */
  port = 0;

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (on the previous port when restarting) and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'ms-redis-'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.proc = spawn('redis-server', [...args, '--dir', this.dir], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (await ping(this.port)) return;
      if (Date.now() > deadline || this.proc.exitCode !== null)
        throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Thaws a paused server (SIGCONT). */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Stops it (SIGTERM, then SIGKILL after 3 s); `start()` again restarts it on the same port. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGCONT');
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 3000).unref();
    });
  }

  /** Stops it and removes its temp dir. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
