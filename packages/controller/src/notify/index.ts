/**
 * Notifications: signed Standard Webhooks deliveries with retries and a delivery log, and the
 * Slack incoming-webhook formatter.
 */
export { createWebhookNotifier, WebhookNotifier } from './webhook-notifier.js';
export type { WebhookNotifierOptions, WebhookEndpoint, WebhookFormat, BackoffOptions } from './options.js';
export type { DeliveryRecord, DeliveryAttempt, DeliveryState, DeliveryQuery } from './delivery-log.js';
export type { WebhookPayload } from './payload.js';
export { toWebhookPayload } from './payload.js';
export { formatSlackMessage, SLACK_LIMITS } from './slack.js';
export type { SlackMessage, SlackText, SlackHeaderBlock, SlackSectionBlock, SlackContextBlock } from './slack.js';
export { signWebhook, webhookSignatureHeaders, decodeWebhookSecret } from './sign.js';
export type { WebhookSignatureHeaders } from './sign.js';
