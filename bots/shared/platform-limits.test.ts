import { describe, expect, it } from 'vitest';
import { DISCORD_DOCUMENTED, SLACK_DOCUMENTED } from '../../tests/bots/documented-limits.ts';
import { DISCORD_LIMITS, SLACK_LIMITS } from './platform-limits.ts';

describe('platform limits', () => {
  it('match what Slack documents (or stay below it)', () => {
    expect(SLACK_LIMITS.text).toBeLessThanOrEqual(SLACK_DOCUMENTED.messageText);
    expect(SLACK_LIMITS.text).toBeLessThan(SLACK_DOCUMENTED.messageTextTruncatedAt);
    expect(SLACK_LIMITS.blocks).toBe(SLACK_DOCUMENTED.blocksPerMessage);
    expect(SLACK_LIMITS.section).toBe(SLACK_DOCUMENTED.sectionText);
    expect(SLACK_LIMITS.header).toBe(SLACK_DOCUMENTED.headerText);
    expect(SLACK_LIMITS.buttonText).toBe(SLACK_DOCUMENTED.buttonText);
    expect(SLACK_LIMITS.buttonValue).toBe(SLACK_DOCUMENTED.buttonValue);
    expect(SLACK_LIMITS.actionId).toBe(SLACK_DOCUMENTED.actionId);
    expect(SLACK_LIMITS.actionsElements).toBe(SLACK_DOCUMENTED.actionsElements);
    expect(SLACK_LIMITS.contextElements).toBe(SLACK_DOCUMENTED.contextElements);
  });

  it('match what Discord documents', () => {
    expect(DISCORD_LIMITS.content).toBe(DISCORD_DOCUMENTED.content);
    expect(DISCORD_LIMITS.title).toBe(DISCORD_DOCUMENTED.embedTitle);
    expect(DISCORD_LIMITS.description).toBe(DISCORD_DOCUMENTED.embedDescription);
    expect(DISCORD_LIMITS.fields).toBe(DISCORD_DOCUMENTED.embedFields);
    expect(DISCORD_LIMITS.fieldName).toBe(DISCORD_DOCUMENTED.embedFieldName);
    expect(DISCORD_LIMITS.fieldValue).toBe(DISCORD_DOCUMENTED.embedFieldValue);
    expect(DISCORD_LIMITS.footer).toBe(DISCORD_DOCUMENTED.embedFooter);
    expect(DISCORD_LIMITS.embedTotal).toBe(DISCORD_DOCUMENTED.embedTotal);
    expect(DISCORD_LIMITS.buttonsPerRow).toBe(DISCORD_DOCUMENTED.buttonsPerRow);
    expect(DISCORD_LIMITS.actionRows).toBe(DISCORD_DOCUMENTED.actionRows);
    expect(DISCORD_LIMITS.customId).toBe(DISCORD_DOCUMENTED.customId);
    expect(DISCORD_LIMITS.buttonLabel).toBe(DISCORD_DOCUMENTED.buttonLabel);
  });
});
