/**
 * The Slack formatter against Slack's documented incoming-webhook payload (top-level `text` and
 * Block Kit `header` / `section` / `context` blocks) and its limits, written here as a zod schema.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatSlackMessage, SLACK_LIMITS } from '../src/notify/index.js';
import { CONTROLLER_EVENT_TYPES } from '../src/notify/options.js';
import type { ControllerEvent, ControllerEventType } from '../src/types.js';

// Slack's documented shapes (https://api.slack.com/reference/block-kit/blocks and
// https://api.slack.com/reference/block-kit/composition-objects#text), with their limits.
const plainText = (max: number) =>
  z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const mrkdwn = (max: number) =>
  z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() });
const blockId = z.string().max(255).optional();
const headerBlock = z.strictObject({ type: z.literal('header'), text: plainText(150), block_id: blockId });
const sectionBlock = z
  .strictObject({
    type: z.literal('section'),
    text: mrkdwn(3000).optional(),
    fields: z.array(mrkdwn(2000)).min(1).max(10).optional(),
    block_id: blockId,
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, { message: 'a section needs text or fields' });
const contextBlock = z.strictObject({
  type: z.literal('context'),
  elements: z
    .array(z.union([mrkdwn(3000), plainText(3000)]))
    .min(1)
    .max(10),
  block_id: blockId,
});
const incomingWebhookMessage = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z
    .array(z.union([headerBlock, sectionBlock, contextBlock]))
    .min(1)
    .max(50),
});

function ev(type: ControllerEventType, over: Partial<ControllerEvent> = {}): ControllerEvent {
  return {
    id: 'evt_01',
    type,
    model: 'fraud',
    at: Date.UTC(2025, 0, 2, 3, 4, 5),
    message: 'fraud v7 promoted to 100% after 3 ramp steps (AUC 0.91 vs 0.89)',
    data: { version: 7, from: 6 },
    ...over,
  };
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

describe('formatSlackMessage', () => {
  it('builds the documented incoming-webhook shape: text fallback, header, section with fields, context', () => {
    const m = formatSlackMessage(ev('rollout.promoted'));
    expect(incomingWebhookMessage.safeParse(m).success).toBe(true);
    expect(m.text).toBe('Rollout promoted · fraud: fraud v7 promoted to 100% after 3 ramp steps (AUC 0.91 vs 0.89)');
    expect(m.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🎉 Rollout promoted · fraud', emoji: true },
    });
    expect(m.blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'fraud v7 promoted to 100% after 3 ramp steps (AUC 0.91 vs 0.89)' },
      fields: [
        { type: 'mrkdwn', text: '*version*\n7' },
        { type: 'mrkdwn', text: '*from*\n6' },
      ],
    });
    const ctx = m.blocks[2].elements[0]!.text;
    expect(ctx).toContain('`rollout.promoted`');
    expect(ctx).toContain('`evt_01`');
    expect(ctx).toContain(
      `<!date^${Date.UTC(2025, 0, 2, 3, 4, 5) / 1000}^{date_short_pretty} {time_secs}|2025-01-02T03:04:05.000Z>`,
    );
  });

  it('is valid for every event type, a controller-wide event and an event without data or message', () => {
    for (const type of CONTROLLER_EVENT_TYPES) {
      const r = incomingWebhookMessage.safeParse(formatSlackMessage(ev(type)));
      expect(r.success, `${type}: ${r.success ? '' : z.prettifyError(r.error)}`).toBe(true);
    }
    const bare = formatSlackMessage(ev('lease.acquired', { model: '', message: '', data: {} }));
    expect(incomingWebhookMessage.safeParse(bare).success).toBe(true);
    expect(bare.blocks[0].text.text).toBe('👑 Leadership acquired');
    expect(bare.blocks[1].fields).toBeUndefined();
    expect(bare.blocks[1].text.text).toBe('Leadership acquired');
  });

  it('keeps within the limits: header ≤ 150, section ≤ 3000, ≤ 10 fields of ≤ 2000, cut with …', () => {
    const data: Record<string, unknown> = { huge: 'x'.repeat(5000), nested: { a: [1, 2, 3] } };
    for (let i = 0; i < 23; i++) data[`k${i}`] = i;
    const m = formatSlackMessage(ev('drift.detected', { model: 'm'.repeat(400), message: 'y'.repeat(10_000), data }));
    const r = incomingWebhookMessage.safeParse(m);
    expect(r.success, r.success ? '' : z.prettifyError(r.error)).toBe(true);
    expect(m.blocks[0].text.text.length).toBe(SLACK_LIMITS.headerText);
    expect(m.blocks[0].text.text.endsWith('…')).toBe(true);
    expect(m.blocks[1].text.text.length).toBe(SLACK_LIMITS.sectionText);
    expect(m.blocks[1].text.text.endsWith('…')).toBe(true);
    const fields = m.blocks[1].fields!;
    expect(fields).toHaveLength(10);
    expect(fields[0]!.text.length).toBe(SLACK_LIMITS.fieldText);
    expect(fields[0]!.text.startsWith('*huge*\nxxx')).toBe(true);
    expect(fields[0]!.text.endsWith('…')).toBe(true);
    expect(fields[1]!.text).toBe('*nested*\n{"a":[1,2,3]}');
    expect(fields[9]!.text).toBe('*…*\n16 more fields'); // 25 data fields: 9 shown, 16 more
    expect(m.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  });

  it('escapes mrkdwn control characters and never cuts an escape or a surrogate pair', () => {
    const m = formatSlackMessage(ev('gate.failed', { message: 'a <b> & c <!channel>', data: { 'x<y': 'p & q' } }));
    expect(m.blocks[1].text.text).toBe('a &lt;b&gt; &amp; c &lt;!channel&gt;');
    expect(m.blocks[1].fields![0]!.text).toBe('*x&lt;y*\np &amp; q');
    expect(m.blocks[0].text.text).not.toContain('&amp;'); // plain_text is not escaped

    const amps = formatSlackMessage(ev('gate.failed', { message: '&'.repeat(2000) })).blocks[1].text.text;
    expect(amps.length).toBeLessThanOrEqual(3000);
    expect(amps).toMatch(/^(&amp;)+…$/);

    for (let pad = 0; pad < 4; pad++) {
      const emoji = formatSlackMessage(ev('gate.failed', { model: 'é'.repeat(pad) + '🚀'.repeat(200) }));
      expect(hasLoneSurrogate(emoji.blocks[0].text.text)).toBe(false);
      expect(emoji.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    }
  });

  it('negative control: the schema rejects what Slack rejects', () => {
    const good = formatSlackMessage(ev('rollout.promoted'));
    const tooLongHeader = structuredClone(good);
    tooLongHeader.blocks[0].text.text = 'h'.repeat(151);
    expect(incomingWebhookMessage.safeParse(tooLongHeader).success).toBe(false);
    const elevenFields = structuredClone(good);
    elevenFields.blocks[1].fields = Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' }));
    expect(incomingWebhookMessage.safeParse(elevenFields).success).toBe(false);
    expect(incomingWebhookMessage.safeParse({ blocks: good.blocks }).success).toBe(false);
  });
});
