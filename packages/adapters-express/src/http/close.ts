/** Graceful shutdown: stop accepting, drain in-flight requests, then close the routers and watchers. */
import type { Server } from 'node:http';

/** Something closed after the server drains (a `ModelRouter`, a serving router, a watcher). */
export interface Closable {
  /** Marks the component as draining (readiness turns 503), when it can. */
  drain?(): void;
  /** Closes it. */
  close(): unknown;
}

/** Options of {@link closeGracefully}. */
export interface CloseOptions {
  /** Closed after the server drained (or timed out), in order. */
  readonly routers?: readonly Closable[];
  /** How long in-flight requests may take before their connections are cut. Default 10,000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Stops accepting connections, lets in-flight requests finish (idle keep-alive connections are
 * closed at once; busy ones after their response), cuts what is left after `timeoutMs`, then
 * closes `routers`. Resolves `{ drained }`: false when the timeout cut connections.
 *
 * @example
 * ```ts
 * process.on('SIGTERM', () => void closeGracefully(server, { routers: [serving, router], timeoutMs: 10_000 }));
 * ```
 */
export async function closeGracefully(server: Server, options: CloseOptions = {}): Promise<{ drained: boolean }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  for (const r of options.routers ?? []) r.drain?.();
  let drained = true;
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let idle: NodeJS.Timeout | undefined;
    server.close(() => {
      if (timer) clearTimeout(timer);
      if (idle) clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
    idle = setInterval(() => server.closeIdleConnections(), 20);
    idle.unref();
    timer = setTimeout(() => {
      drained = false;
      server.closeAllConnections();
    }, timeoutMs);
    timer.unref();
  });
  for (const r of options.routers ?? []) await r.close();
  return { drained };
}
