/**
 * Server-sent events: the event hub of the management event stream (a bounded in-memory buffer
 * of the controller's events with ids, resumed by `Last-Event-ID`) and a minimal SSE writer.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** One buffered event of the stream. */
export interface StreamEvent {
  /** The SSE id: `<instance>-<sequence>`. */
  id: string;
  /** The sequence number in this process. */
  seq: number;
  /** The SSE event name (the controller event's type). */
  event: string;
  /** The model it concerns (`''` for controller-wide events). */
  model: string;
  /** The JSON data. */
  data: unknown;
}

/**
 * A bounded buffer of events with increasing ids, and live subscribers. Ids carry an instance
 * prefix, so a `Last-Event-ID` of another process (or of a restarted one) replays the whole buffer
 * instead of skipping events.
 */
export class EventHub {
  /** This hub's id prefix. */
  readonly instance = randomUUID().slice(0, 8);
  readonly #capacity: number;
  readonly #buffer: StreamEvent[] = [];
  readonly #subscribers = new Set<(e: StreamEvent) => void>();
  #seq = 0;

  /** A hub keeping the last `capacity` events. */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Appends an event and delivers it to every subscriber. */
  publish(event: string, model: string, data: unknown): StreamEvent {
    const seq = ++this.#seq;
    const e: StreamEvent = { id: `${this.instance}-${seq}`, seq, event, model, data };
    this.#buffer.push(e);
    if (this.#buffer.length > this.#capacity) this.#buffer.shift();
    for (const s of this.#subscribers) s(e);
    return e;
  }

  /**
   * The buffered events after `lastEventId` (all of them for an unknown or foreign id), and
   * whether events were lost (the id is older than the buffer).
   */
  since(lastEventId: string | undefined): {
    /** The events to replay, oldest first. */
    events: StreamEvent[];
    /** True when events after `lastEventId` fell out of the buffer (or the id is foreign). */
    gap: boolean;
  } {
    if (lastEventId === undefined || lastEventId === '') return { events: [], gap: false };
    const m = /^([0-9a-f]{8})-(\d+)$/.exec(lastEventId);
    if (!m || m[1] !== this.instance) return { events: [...this.#buffer], gap: true };
    const seq = Number(m[2]);
    const first = this.#buffer[0]?.seq ?? this.#seq + 1;
    return { events: this.#buffer.filter((e) => e.seq > seq), gap: seq + 1 < first };
  }

  /** Calls `fn` with every event published from now on; returns the unsubscribe function. */
  subscribe(fn: (e: StreamEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** Events buffered now. */
  get size(): number {
    return this.#buffer.length;
  }
}

/** Writes `text/event-stream` frames to a response. */
export class SseWriter {
  readonly #res: ServerResponse;
  #closed = false;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #onClose = new Set<() => void>();

  /** Sends the SSE headers and starts heartbeats (a comment every `heartbeatMs`). */
  constructor(res: ServerResponse, heartbeatMs: number, retryMs = 2_000) {
    this.#res = res;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: ${retryMs}\n\n`);
    this.#timer = setInterval(() => this.comment('heartbeat'), heartbeatMs);
    this.#timer.unref?.();
    res.on('close', () => this.#finish());
  }

  /** True once the client went away or {@link SseWriter.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `fn` when the stream ends. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.add(fn);
  }

  /** Sends one event (`data` as JSON, one `data:` line). */
  send(event: string, data: unknown, id?: string): void {
    if (this.#closed) return;
    const name = event.replace(/[\r\n]/g, ' ');
    this.#res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Sends a comment line (ignored by clients; keeps proxies from closing an idle stream). */
  comment(text: string): void {
    if (this.#closed) return;
    this.#res.write(`: ${text.replace(/[\r\n]/g, ' ')}\n\n`);
  }

  /** Ends the stream. */
  close(): void {
    if (this.#closed) return;
    this.#res.end();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed && this.#onClose.size === 0) return;
    this.#closed = true;
    clearInterval(this.#timer);
    for (const fn of [...this.#onClose]) fn();
    this.#onClose.clear();
  }
}
