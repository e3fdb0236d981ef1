import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** True when `moto_server` is on the PATH. */
export const motoAvailable = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/**
 * A moto_server (S3-compatible) on a free port of 127.0.0.1, started and stopped by its owner:
 * a test file or the registry benchmark. No vitest here, so plain scripts can use it.
 */
export class MotoServer {
  private proc: ChildProcess | undefined;
  /** The endpoint URL once started. */
  endpoint = '';

  /** Starts moto_server on a free port and waits until it answers. */
  async start(): Promise<void> {
    const port = await freePort();
    this.endpoint = `http://127.0.0.1:${port}`;
    this.proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await fetch(this.endpoint);
        return;
      } catch {
        if (Date.now() > deadline || this.proc.exitCode !== null)
          throw new Error(`moto_server did not start on ${this.endpoint}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops it (SIGTERM, then SIGKILL after 3 s). */
  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    const p = this.proc;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 3000).unref();
    });
  }
}
