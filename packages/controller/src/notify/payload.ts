/** The Standard Webhooks JSON body of a lifecycle event. */
import type { ControllerEvent, ControllerEventType } from '../types.js';

/**
 * The body of a `'standard'` endpoint's webhook, in the Standard Webhooks payload shape
 * (`type`, `timestamp`, `data`):
 *
 * ```json
 * {
 *   "type": "rollout.promoted",
 *   "timestamp": "2025-01-02T03:04:05.678Z",
 *   "data": {
 *     "id": "evt_…", "model": "fraud", "at": 1735787045678,
 *     "message": "fraud v7 promoted to 100% after 3 ramp steps (AUC 0.91 vs 0.89)",
 *     "version": 7, "from": 6
 *   }
 * }
 * ```
 *
 * `data` holds the event's `id`, `model`, `at` (epoch ms) and `message`, then every field of
 * the event's own `data` except those four names (the event's fields always win) and `__proto__`.
 */
export interface WebhookPayload {
  /** The event type, e.g. `'rollout.promoted'`. */
  type: ControllerEventType;
  /** When the event happened (the event's `at`), as an ISO 8601 string. */
  timestamp: string;
  /** The event: its id, model, time and message, then its own data. */
  data: {
    /** The event id (also the `webhook-id` header). */
    id: string;
    /** The model it concerns (`''` for controller-wide events). */
    model: string;
    /** When it happened, epoch ms. */
    at: number;
    /** One human sentence. */
    message: string;
    /** The event's own data fields. */
    [field: string]: unknown;
  };
}

// The event's own fields, and `__proto__` (an own key of parsed JSON that assignment would turn into a prototype).
const RESERVED = new Set(['id', 'model', 'at', 'message', '__proto__']);

/** Builds the {@link WebhookPayload} of an event. */
export function toWebhookPayload(event: ControllerEvent): WebhookPayload {
  const data: WebhookPayload['data'] = { id: event.id, model: event.model, at: event.at, message: event.message };
  for (const [k, v] of Object.entries(event.data ?? {})) if (!RESERVED.has(k)) data[k] = v;
  return { type: event.type, timestamp: new Date(event.at).toISOString(), data };
}
