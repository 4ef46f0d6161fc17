import { describe, expect, it } from 'vitest';
import { renderNotification } from '../../../shared/notify/render.ts';
import { slackMessage } from '../../../shared/notify/slack.ts';
import { aNotification } from '../../support/receivers.ts';

describe('slackMessage', () => {
  it('escapes text Slack would read as links or mentions', () => {
    const notification = aNotification({ reason: 'status 500 <!channel> & <https://evil.example|click>' });

    const message = slackMessage(notification, renderNotification(notification));

    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('keeps every block within the Block Kit limits for a very long reason', () => {
    const notification = aNotification({ reason: 'x'.repeat(10_000), service: `s${'v'.repeat(200)}` });

    const message = slackMessage(notification, renderNotification(notification));

    for (const block of message.blocks) {
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === 'section' && 'text' in block)
        expect(block.text.text.length).toBeLessThanOrEqual(3000);
      if (block.type === 'section' && 'fields' in block) {
        expect(block.fields.length).toBeLessThanOrEqual(10);
        for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(2000);
      }
    }
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });
});
