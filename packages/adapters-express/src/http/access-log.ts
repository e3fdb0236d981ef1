/** The access log of the serving router: one line per request, built only at a level the logger writes. */
import type { Logger } from '@modelship/core';
import type { Request, Response } from 'express';

type Level = 'info' | 'warn' | 'error';

/** A logger's level test (pino's `isLevelEnabled`), or "always" for loggers without one. */
function levelTest(logger: Logger): (level: Level) => boolean {
  const test = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof test === 'function' ? (level) => test.call(logger, level) : () => true;
}

/** What logs a finished (or abandoned) request: called from the response's `close` event. */
export type AccessLog = (req: Request, res: Response, requestId: string, startedMs: number) => void;

/** The access log over `logger`: info for 2xx/3xx, warn for 4xx and aborted requests, error for 5xx. */
export function accessLogOf(logger: Logger): AccessLog {
  const enabled = levelTest(logger);
  return (req, res, requestId, startedMs) => {
    const aborted = !res.writableFinished;
    const status = res.statusCode;
    const level: Level = status >= 500 ? 'error' : aborted || status >= 400 ? 'warn' : 'info';
    if (!enabled(level)) return;
    logger[level](
      {
        reqId: requestId,
        req: { method: req.method, url: req.originalUrl },
        res: { statusCode: status },
        responseTime: Math.round((performance.now() - startedMs) * 1000) / 1000,
      },
      aborted ? 'request aborted' : 'request completed',
    );
  };
}
