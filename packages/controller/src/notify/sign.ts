/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 with the base64-decoded secret,
 * sent as `webhook-signature: v1,<base64>`.
 */
import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
// Padded standard base64, as the reference libraries decode it.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The key bytes of a Standard Webhooks secret: `'whsec_'` + base64, or the base64 alone.
 * `undefined` when it is not valid (padded, standard-alphabet) base64 or decodes to no bytes.
 */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (b64.length === 0 || !BASE64.test(b64)) return undefined;
  const key = Buffer.from(b64, 'base64');
  return key.length > 0 ? key : undefined;
}

/**
 * The `webhook-signature` value of one message: `v1,` + base64(HMAC-SHA256(key,
 * `${id}.${timestampSeconds}.${body}`)).
 */
export function signWebhook(key: Uint8Array, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The three Standard Webhooks headers of one attempt (the timestamp is the attempt's, in whole seconds). */
export interface WebhookSignatureHeaders {
  /** The message id: the event id, the same on every retry. */
  'webhook-id': string;
  /** Integer seconds since the epoch, as a decimal string. */
  'webhook-timestamp': string;
  /** `v1,<base64 signature>`. */
  'webhook-signature': string;
}

/** Signs `body` and returns the Standard Webhooks headers for it. */
export function webhookSignatureHeaders(
  key: Uint8Array,
  id: string,
  atMs: number,
  body: string,
): WebhookSignatureHeaders {
  const ts = Math.floor(atMs / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(key, id, ts, body) };
}
