import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const NGINX = ['/usr/sbin/nginx', 'nginx'].find(
  (b) => spawnSync('sh', ['-c', `command -v ${b}`], { encoding: 'utf8' }).status === 0,
);

/** True when Debian's nginx is installed. */
export const nginxAvailable = NGINX !== undefined;

/** CI sets MODELSHIP_REQUIRE_NGINX=1: then a missing nginx fails instead of skipping. */
export const requireNginx = process.env.MODELSHIP_REQUIRE_NGINX === '1';

/**
 * A throw-away nginx (Debian's package) on a free port of 127.0.0.1, load-balancing round robin
 * over `upstreams` (ports of 127.0.0.1) with keep-alive connections to them. A request that cannot
 * be sent to an upstream (connection refused: a dead replica) is passed to the next one; one that
 * was sent is not retried (POST is not idempotent), so a replica killed mid-request costs its
 * in-flight requests a 502. Everything lives in a temp dir; `stop()` removes it. No vitest here.
 */
export class NginxServer {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'ms-nginx-'));
  /** The port, once started. */
  port = 0;

  constructor(private readonly upstreams: readonly number[]) {}

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The error log (for a failing test's message). */
  errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Writes the configuration, starts nginx in the foreground and waits until it answers. */
  async start(): Promise<void> {
    if (!NGINX) throw new Error('nginx is not installed (apt-get install nginx)');
    this.port = await freePort();
    const d = this.dir;
    for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(d, t), { recursive: true });
    const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${d}/body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  upstream replicas {
${this.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${this.port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 4;
      proxy_connect_timeout 1s;
      proxy_read_timeout 30s;
    }
  }
}
`;
    writeFileSync(join(d, 'nginx.conf'), conf);
    this.proc = spawn(NGINX, ['-p', d, '-c', join(d, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await fetch(`${this.url}/health`);
        return;
      } catch {
        if (Date.now() > deadline || this.proc.exitCode !== null)
          throw new Error(`nginx did not start on ${this.url}: ${stderr}${this.errorLog()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Stops nginx (SIGQUIT: graceful, then SIGKILL after 3 s) and removes its folder. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p && p.exitCode === null) {
      await new Promise<void>((res) => {
        p.once('exit', () => res());
        p.kill('SIGQUIT');
        setTimeout(() => p.kill('SIGKILL'), 3000).unref();
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
