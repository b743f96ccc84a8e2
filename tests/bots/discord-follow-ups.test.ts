/**
 * Discord after the answer, end to end through the real discord.js against the Discord stand-in, the
 * real engine (process sandbox) and the real SQLite store: the not-pinned question's buttons (the choice
 * becomes a test and the fix is verified again), and "why?" / another assert in a reply to the answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordBot, type DiscordBot } from '../../bots/discord/index.ts';
import { silentLogger } from '../../src/log.ts';
import { BOT_ID, DISCORD_TOKEN, startDiscordStandIn, type DiscordCall, type DiscordStandIn } from '../standins/discord.ts';
import { BUGGY_CODE, eventually, FIXED_LINE, paste } from './fixtures.ts';
import { ADD_CHOSEN_TEST, ADD_LOOSE_TESTS, addNotPinnedResult } from './results.ts';
import { scriptedFirst, type ScriptedService } from './scripted-service.ts';
import { skipReason, startRepairStack, type RepairStack } from './stack.ts';

const SKIP = skipReason('tests/bots/discord-follow-ups.test.ts') !== undefined;
const REPAIR_TIMEOUT = 60_000;
const MESSAGES = /^\/channels\/\d+\/messages$/;
const LOOSE_TESTS = ADD_LOOSE_TESTS;
const CHOSEN_TEST = ADD_CHOSEN_TEST;

let discord: DiscordStandIn;
let stack: RepairStack;
let service: ScriptedService;
let bot: DiscordBot;

const repliesTo = (messageId: string) => (call: DiscordCall) =>
  (call.json?.message_reference as { message_id?: string } | undefined)?.message_id === messageId;
const hasEmbed = (call: DiscordCall): boolean => Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0;

beforeAll(async () => {
  if (SKIP) return;
  discord = await startDiscordStandIn({ heartbeatMs: 1000 });
  stack = await startRepairStack();
  service = scriptedFirst(stack.service, LOOSE_TESTS, () => addNotPinnedResult());
  bot = createDiscordBot({
    config: { token: DISCORD_TOKEN, apiUrl: discord.apiUrl, helpChannels: [] },
    limits: { maxPasteBytes: 4000, userPerHour: 100, channelPerHour: 100 },
    service,
    store: stack.store,
    logger: silentLogger(),
    statusIntervalMs: 50,
    deadlineMs: REPAIR_TIMEOUT,
    clientOptions: { rest: { retries: 0, timeout: 2000 } },
  });
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await stack?.close();
  await discord?.close();
});

describe.skipIf(SKIP)('Discord follow-ups', () => {
  let question: DiscordCall;
  let questionId = '';

  it('asks which fix is right with a button per option', async () => {
    const message = discord.userMessage({ content: `<@${BOT_ID}> ${paste(BUGGY_CODE, LOOSE_TESTS)}`, author: '700000000000000031' });
    discord.dispatchMessage(message);
    question = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(message.id)(call) && hasEmbed(call), REPAIR_TIMEOUT);
    expect(JSON.stringify(question.json?.embeds)).toContain('they disagree on `add(2, 3)`');
    const components = JSON.stringify(question.json?.components);
    expect(components).toContain('"label":"A: 5"');
    expect(components).toContain(`tracefix:choose:1:${service.requests[0]?.id ?? '?'}`);
    questionId = [...discord.messages.values()].find((m) => repliesTo(message.id)({ json: m } as unknown as DiscordCall) && (m.embeds as unknown[]).length > 0)?.id ?? '';
    expect(questionId).not.toBe('');
  }, REPAIR_TIMEOUT + 10_000);

  it('turns the chosen option into a test, runs again and verifies the fix', async () => {
    const { id } = discord.dispatchButton({ customId: `tracefix:choose:0:${service.requests[0]?.id ?? ''}`, messageId: questionId, user: '700000000000000031' });
    const callback = await discord.waitForCall('POST', new RegExp(`^/interactions/${id}/`));
    expect(String((callback.json?.data as { content?: string }).content)).toContain('`assert add(2, 3) == 5` added to your tests');
    const again = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(questionId)(call) && hasEmbed(call), REPAIR_TIMEOUT);
    expect(service.requests[1]?.tests).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}`);
    // the picked answer is the user's word on the input the fixes disagreed on: it settles the fix
    expect(service.requests[1]?.confirmedTests).toEqual([CHOSEN_TEST]);
    expect(JSON.stringify(again.json?.embeds)).toContain('Fixed');
    const later = discord.calls.filter((call) => call.at >= again.at && call.method === 'POST').map((call) => String(call.json?.content)).join('\n');
    expect(later).toContain(FIXED_LINE);
    // Replies to the new answer find it once the bot has linked it.
    const answer = [...discord.messages.values()].filter((m) => repliesTo(questionId)({ json: m } as unknown as DiscordCall) && (m.embeds as unknown[]).length > 0).at(-1);
    await eventually(async () => ((await stack.store.findByAnswer('discord', answer?.id ?? ''))?.id === service.requests[1]?.id ? true : undefined), 5000, 'the answer link');
  }, REPAIR_TIMEOUT + 10_000);

  it('answers "why?" in a reply to the answer with the trace attached', async () => {
    const answer = [...discord.messages.values()].filter((m) => repliesTo(questionId)({ json: m } as unknown as DiscordCall) && (m.embeds as unknown[]).length > 0).at(-1);
    const why = discord.userMessage({ content: `<@${BOT_ID}> why?`, author: '700000000000000031', replyTo: answer?.id ?? '' });
    discord.dispatchMessage(why);
    const reply = await discord.waitForCall('POST', MESSAGES, repliesTo(why.id));
    expect(String(reply.json?.content)).toContain('full NExT trace');
    expect(reply.files.map((file) => file.name)).toContain('trace.py');
  });

  it('re-runs with an assert given in a reply to the answer', async () => {
    const answer = [...discord.messages.values()].filter((m) => repliesTo(questionId)({ json: m } as unknown as DiscordCall) && (m.embeds as unknown[]).length > 0).at(-1);
    const before = service.requests.length;
    const more = discord.userMessage({ content: `<@${BOT_ID}> try again with this test\n\`\`\`py\nassert add(10, 5) == 15\n\`\`\``, author: '700000000000000031', replyTo: answer?.id ?? '' });
    discord.dispatchMessage(more);
    const note = await discord.waitForCall('POST', MESSAGES, repliesTo(more.id));
    expect(String(note.json?.content)).toContain('Checking again with `assert add(10, 5) == 15`');
    const third = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(more.id)(call) && hasEmbed(call), REPAIR_TIMEOUT);
    expect(service.requests[before]?.tests).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}\nassert add(10, 5) == 15`);
    // a typed assert is a test, not a confirmation; the earlier pick is kept
    expect(service.requests[before]?.confirmedTests).toEqual([CHOSEN_TEST]);
    expect(JSON.stringify(third.json?.embeds)).toContain('Fixed');
  }, REPAIR_TIMEOUT + 10_000);
});
