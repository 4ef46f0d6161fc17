/**
 * The Slack incoming-webhook message: Block Kit blocks for people, `text` as the plain fallback that
 * notifications, screen readers and old clients show. Both come from the one rendering.
 */
import type { Notification } from '../domain/ports.ts';
import type { RenderedNotification } from './render.ts';
import { truncate } from './render.ts';

// Block Kit limits: header text 150 characters, section text 3,000, a field 2,000, at most 10 fields.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;
/** Slack truncates a top-level `text` past 40,000 characters; keep the fallback short and readable. */
const FALLBACK_MAX = 3000;

const SEVERITY_EMOJI: Readonly<Record<Notification['severity'], string>> = {
  critical: ':red_circle:',
  error: ':large_orange_circle:',
  warning: ':large_yellow_circle:',
  info: ':large_blue_circle:',
};

/** Facts shown as the two-column field grid; `why` gets a section of its own. */
const FIELD_KEYS = new Set([
  'traffic',
  'requested_by',
  'epoch',
  'route53_change',
  'detected',
  'flipped',
  'in_sync',
  'reported',
]);

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

type TextObject = { readonly type: 'plain_text'; readonly text: string; readonly emoji?: boolean } | Mrkdwn;
type Mrkdwn = { readonly type: 'mrkdwn'; readonly text: string };

export type SlackBlock =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text: Mrkdwn }
  | { readonly type: 'section'; readonly fields: readonly Mrkdwn[] }
  | { readonly type: 'context'; readonly elements: readonly Mrkdwn[] };

/**
 * The message posted to a Slack incoming webhook.
 *
 * @example
 * const body = JSON.stringify(slackMessage(notification, renderNotification(notification)));
 */
export function slackMessage(notification: Notification, rendered: RenderedNotification): SlackMessage {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(rendered.title, HEADER_MAX), emoji: true },
    },
    section(`${SEVERITY_EMOJI[notification.severity]} *Why:* ${escapeMrkdwn(notification.reason)}`),
    {
      type: 'section',
      fields: rendered.facts
        .filter((fact) => FIELD_KEYS.has(fact.key))
        .slice(0, FIELDS_MAX)
        .map((fact) => mrkdwn(truncate(`*${fact.label}*\n${escapeMrkdwn(fact.value)}`, FIELD_MAX))),
    },
  ];
  if (rendered.evidence.length > 0) {
    const lines = rendered.evidence.flatMap((target) =>
      target.lines.map((line) => `• *${target.target}*: ${escapeMrkdwn(line)}`),
    );
    blocks.push(section(`*Evidence (last probe results)*\n${lines.join('\n')}`));
  }
  blocks.push(section(`*Next:* ${escapeMrkdwn(notification.next)}`));
  if (notification.dashboardUrl !== undefined) {
    blocks.push(section(`*Dashboard:* ${slackLink(notification.dashboardUrl, 'CloudWatch dashboard')}`));
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`failover-controller · ${notification.service} · severity ${notification.severity}`)],
  });
  return { text: truncate(escapeMrkdwn(rendered.text), FALLBACK_MAX), blocks };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(truncate(text, SECTION_MAX)) };
}

function mrkdwn(text: string): Mrkdwn {
  return { type: 'mrkdwn', text };
}

/**
 * `<url|text>`: Slack ends the URL at `|` or `>`, so those are percent-encoded (a URL means the same
 * with them encoded) and `&` `<` `>` written as entities, as Slack asks.
 */
function slackLink(url: string, text: string): string {
  const safe = url.replaceAll('|', '%7C').replaceAll('>', '%3E').replaceAll('<', '%3C');
  return `<${escapeMrkdwn(safe)}|${escapeMrkdwn(text)}>`;
}

/** Slack reads `<...>` as links and mentions and `&` as an entity: escape them in any text we did not write. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
