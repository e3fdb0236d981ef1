/**
 * A lifecycle event as a Slack incoming-webhook message (https://api.slack.com/messaging/webhooks):
 * a top-level `text` (the notification fallback) and Block Kit `blocks`, within Slack's limits.
 */
import type { ControllerEvent, ControllerEventType } from '../types.js';

/** Slack's limits on the blocks {@link formatSlackMessage} writes, in characters. */
export const SLACK_LIMITS = {
  /** A `header` block's `plain_text`. */
  headerText: 150,
  /** A `section` block's `text`. */
  sectionText: 3000,
  /** One of a `section` block's `fields`. */
  fieldText: 2000,
  /** How many `fields` a `section` block may have. */
  fields: 10,
  /** One `context` element's text (kept to the field limit). */
  contextText: 2000,
  /** The top-level fallback `text` (kept to the section limit). */
  text: 3000,
} as const;

/** A Block Kit text object. */
export interface SlackText<T extends 'plain_text' | 'mrkdwn' = 'plain_text' | 'mrkdwn'> {
  /** `'plain_text'` or `'mrkdwn'`. */
  type: T;
  /** The text. */
  text: string;
  /** Whether `:emoji:` codes are rendered (plain_text only). */
  emoji?: boolean;
}

/** A `header` block: one line of large plain text. */
export interface SlackHeaderBlock {
  /** `'header'`. */
  type: 'header';
  /** At most 150 characters. */
  text: SlackText<'plain_text'>;
}

/** A `section` block: mrkdwn text and up to 10 two-column fields. */
export interface SlackSectionBlock {
  /** `'section'`. */
  type: 'section';
  /** At most 3000 characters. */
  text: SlackText<'mrkdwn'>;
  /** At most 10, each at most 2000 characters. */
  fields?: Array<SlackText<'mrkdwn'>>;
}

/** A `context` block: small print. */
export interface SlackContextBlock {
  /** `'context'`. */
  type: 'context';
  /** The elements (mrkdwn texts). */
  elements: Array<SlackText<'mrkdwn'>>;
}

/** The incoming-webhook body {@link formatSlackMessage} builds. */
export interface SlackMessage {
  /** The fallback text shown in notifications and by clients without blocks. */
  text: string;
  /** A header, a section (the message and the event's data as fields) and a context line. */
  blocks: [SlackHeaderBlock, SlackSectionBlock, SlackContextBlock];
}

const TITLES: Record<ControllerEventType, [emoji: string, title: string]> = {
  'candidate.registered': ['🆕', 'Candidate registered'],
  'gate.passed': ['✅', 'Gate passed'],
  'gate.failed': ['⛔', 'Gate failed'],
  'rollout.deployed': ['📦', 'Deployed'],
  'rollout.started': ['🚀', 'Rollout started'],
  'rollout.ramped': ['📈', 'Rollout ramped'],
  'rollout.promoted': ['🎉', 'Rollout promoted'],
  'rollout.rolledBack': ['⏪', 'Rollout rolled back'],
  'rollout.held': ['⏸️', 'Rollout held'],
  'approval.requested': ['🙋', 'Approval requested'],
  'approval.granted': ['👍', 'Approval granted'],
  'approval.rejected': ['👎', 'Approval rejected'],
  'drift.detected': ['🌊', 'Drift detected'],
  'retraining.started': ['🏋️', 'Retraining started'],
  'retraining.succeeded': ['✅', 'Retraining succeeded'],
  'retraining.failed': ['❌', 'Retraining failed'],
  'lease.acquired': ['👑', 'Leadership acquired'],
  'lease.lost': ['⚠️', 'Leadership lost'],
};

/** Escapes the three characters Slack's mrkdwn reserves (`&`, `<`, `>`). */
export function escapeSlackText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Cuts `s` to at most `max` UTF-16 units, ending in `'…'` when cut; never splits a surrogate
 * pair or (for escaped mrkdwn) an `&amp;`-style entity.
 */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max - 1);
  const last = s.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
  const head = s.slice(0, cut).replace(/&[a-z]{0,4}$/, '');
  return `${head}…`;
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * Formats a lifecycle event as a Slack incoming-webhook message:
 *
 * - `text`: `"<title> · <model>: <message>"`, the notification fallback;
 * - a `header` block: an emoji, the title and the model (plain text, ≤ 150 characters);
 * - a `section` block: the message (mrkdwn, ≤ 3000 characters) and the event's data as
 *   `*key*\nvalue` fields (≤ 10, each ≤ 2000 characters; past 9 data fields the 10th says how
 *   many more there are);
 * - a `context` block: the event type, its id and its time (a Slack `<!date>` token).
 *
 * Text from the event is escaped for mrkdwn, and over-long text is cut with `'…'`.
 *
 * @example
 * ```ts
 * await fetch(slackWebhookUrl, {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify(formatSlackMessage(event)),
 * });
 * ```
 */
export function formatSlackMessage(event: ControllerEvent): SlackMessage {
  const [emoji, title] = TITLES[event.type] ?? ['🔔', String(event.type)];
  const subject = event.model ? `${title} · ${event.model}` : title;
  const message = event.message || title;
  const headerText = truncateText(`${emoji} ${subject}`.replace(/\s+/g, ' '), SLACK_LIMITS.headerText);

  const entries = Object.entries(event.data ?? {}).filter(([, v]) => v !== undefined);
  const shown = entries.length > SLACK_LIMITS.fields ? entries.slice(0, SLACK_LIMITS.fields - 1) : entries;
  const fields: Array<SlackText<'mrkdwn'>> = shown.map(([k, v]) => ({
    type: 'mrkdwn',
    text: truncateText(`*${escapeSlackText(k)}*\n${escapeSlackText(valueText(v))}`, SLACK_LIMITS.fieldText),
  }));
  if (entries.length > shown.length) {
    fields.push({ type: 'mrkdwn', text: `*…*\n${entries.length - shown.length} more fields` });
  }

  const section: SlackSectionBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: truncateText(escapeSlackText(message), SLACK_LIMITS.sectionText) },
  };
  if (fields.length > 0) section.fields = fields;

  const when = Number.isFinite(event.at)
    ? ` · <!date^${Math.floor(event.at / 1000)}^{date_short_pretty} {time_secs}|${new Date(event.at).toISOString()}>`
    : '';
  const id = escapeSlackText(truncateText(event.id, 200));
  const context = truncateText(`\`${escapeSlackText(event.type)}\` · event \`${id}\`${when}`, SLACK_LIMITS.contextText);

  return {
    text: truncateText(escapeSlackText(`${subject}: ${message}`), SLACK_LIMITS.text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headerText, emoji: true } },
      section,
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
}
