import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** The folder of the PostgreSQL server binaries (`initdb`, `postgres`, `pg_isready`): Debian's newest, else the PATH (''). */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
  return has('initdb') && has('postgres') && has('pg_isready') ? '' : undefined;
}

const BIN = binDir();
/** True when PostgreSQL's server binaries are installed. */
export const postgresAvailable = BIN !== undefined;
/** Why PostgreSQL tests are skipped (`MODELSHIP_REQUIRE_POSTGRES=1` makes it a failure instead). */
export const postgresSkipReason = postgresAvailable
  ? undefined
  : 'PostgreSQL server binaries (initdb, postgres) not found: apt-get install -y postgresql';

const bin = (name: string): string => (BIN ? join(BIN, name) : name);

/** postgres refuses to run as root: as root, run it as the `postgres` (or `nobody`) user. */
function runAs(): { uid: number; gid: number; user: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()), user };
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists to run postgres as');
}

/**
 * A throw-away PostgreSQL server: `initdb` into a temp folder, `postgres` on a free port of
 * 127.0.0.1 (trust authentication, socket in the same folder), stopped and removed by its owner.
 * `stop()` / `start()` can be called again mid-test to take the database away and bring it back
 * (same folder, same port). No vitest here, so plain scripts can use it.
 */
export class PostgresServer {
  private proc: ChildProcess | undefined;
  private dir = '';
  private owner: ReturnType<typeof runAs>;
  /** The port, once initialised. */
  port = 0;
  /** The server's log lines (for a failing test's message). */
  readonly log: string[] = [];

  /** The connection string of the `postgres` database. */
  get connectionString(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Spawn options that run a server binary as the owner (the process itself, so signals reach postgres). */
  private get as(): { uid?: number; gid?: number } {
    return this.owner ? { uid: this.owner.uid, gid: this.owner.gid } : {};
  }

  /** Creates the cluster (first call) and starts the server; resolves when it accepts connections. */
  async start(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) return;
    if (!this.dir) {
      this.owner = runAs();
      this.dir = mkdtempSync(join(tmpdir(), 'modelship-pg-'));
      chmodSync(this.dir, 0o700);
      if (this.owner) chownSync(this.dir, this.owner.uid, this.owner.gid);
      const r = spawnSync(
        bin('initdb'),
        ['-D', join(this.dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
        { encoding: 'utf8', cwd: this.dir, ...this.as },
      );
      if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
      this.port = await freePort();
    }
    const args = [
      '-D',
      join(this.dir, 'data'),
      '-k',
      this.dir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ];
    const proc = spawn(bin('postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir, ...this.as });
    this.proc = proc;
    const keep = (b: Buffer): void => {
      this.log.push(...b.toString('utf8').split('\n').filter(Boolean));
      if (this.log.length > 500) this.log.splice(0, this.log.length - 500);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = spawnSync(bin('pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres'], {
        encoding: 'utf8',
      });
      if (r.status === 0) return;
      if (Date.now() > deadline || proc.exitCode !== null)
        throw new Error(`postgres did not start on port ${this.port}:\n${this.log.slice(-20).join('\n')}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /** Stops the server (fast shutdown: SIGINT to the postmaster, which ends every session); the data stays. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGINT');
      setTimeout(() => p.kill('SIGKILL'), 10_000).unref();
    });
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}
