import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';

/** True when `moto_server` is on the PATH. */
export const motoAvailable = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).status === 0;

/**
 * moto's app behind one lock: moto checks a conditional PUT (`If-None-Match: *`, `If-Match`) and
 * then writes, without a lock, on a threaded server, so two concurrent create-only writes of one
 * key can both succeed — which S3 itself never allows (its conditional writes are atomic). The
 * registry's compare-and-set relies on that atomicity, so the tests serialise moto's request
 * handling (connections are still accepted concurrently).
 */
const LOCKED_MOTO = `
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
os.environ.setdefault("MOTO_PORT", sys.argv[2])
app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()
def serialised(environ, start_response):
    with lock:
        return list(app(environ, start_response))
run_simple(sys.argv[1], int(sys.argv[2]), serialised, threaded=True)
`;

/** The Python that has moto (the one behind `moto_server`), when it can import moto's app. */
function motoPython(): string | undefined {
  for (const py of [process.env.MODELSHIP_PYTHON, 'python3'].filter((p): p is string => !!p)) {
    const r = spawnSync(py, ['-c', 'import moto.moto_server.werkzeug_app'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
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
    const py = motoPython();
    this.proc = py
      ? spawn(py, ['-c', LOCKED_MOTO, '127.0.0.1', String(port)], { stdio: 'ignore' })
      : spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
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
