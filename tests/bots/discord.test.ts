/**
 * End to end: the real discord.js against the Discord stand-in (REST + gateway), the real repair engine
 * (program search, no model) on a real sandbox, and the real feedback store on a SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordBot, type DiscordBot } from '../../bots/discord/index.ts';
import { silentLogger } from '../../src/log.ts';
import { BOT_ID, CHANNEL_ID, DISCORD_TOKEN, startDiscordStandIn, type DiscordCall, type DiscordStandIn } from '../standins/discord.ts';
import { BUGGY_CODE, eventually, FIXED_LINE, JS_CODE, JS_FIXED_LINE, jsPaste, paste, TESTS } from './fixtures.ts';
import { skipReason, startRepairStack, type RepairStack } from './stack.ts';

const SKIP = skipReason('tests/bots/discord.test.ts') !== undefined;

const REPAIR_TIMEOUT = 60_000;
const JS_CODE_TS = JS_CODE.replace('function largest(xs) {', 'function largest(xs: number[]): number {');
const MESSAGES = /^\/channels\/\d+\/messages$/;

let discord: DiscordStandIn;

const contentOf = (call: DiscordCall): string => (typeof call.json?.content === 'string' ? call.json.content : '');
let stack: RepairStack;
let bot: DiscordBot;

const repliesTo = (messageId: string) => (call: DiscordCall) =>
  (call.json?.message_reference as { message_id?: string } | undefined)?.message_id === messageId;

beforeAll(async () => {
  if (SKIP) return;
  discord = await startDiscordStandIn({ heartbeatMs: 1000 });
  stack = await startRepairStack();
  bot = createDiscordBot({
    config: { token: DISCORD_TOKEN, apiUrl: discord.apiUrl, helpChannels: [] },
    limits: { maxPasteBytes: 4000, userPerHour: 2, channelPerHour: 100 },
    service: stack.service,
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

describe.skipIf(SKIP)('Discord', () => {
  let answerId = '';
  let requestId = '';

  it('identifies with the token and the non-privileged intents, over an uncompressed gateway', () => {
    expect(discord.identifies[0]?.token).toBe(DISCORD_TOKEN);
    const intents = discord.identifies[0]?.intents ?? 0;
    expect(intents & (1 << 15)).toBe(0); // MessageContent
    expect(intents & (1 << 0)).not.toBe(0); // Guilds
    expect(intents & (1 << 9)).not.toBe(0); // GuildMessages
    expect(intents & (1 << 10)).not.toBe(0); // GuildMessageReactions
    expect(intents & (1 << 12)).not.toBe(0); // DirectMessages
    const url = new URL(discord.gatewayUrls[0] ?? '', 'ws://127.0.0.1');
    expect(url.searchParams.get('encoding')).toBe('json');
    // zlib-sync in the tree would turn this on and the JSON frames would stop parsing.
    expect(url.searchParams.has('compress')).toBe(false);
  });

  it('replies to a mention within 3 s, then with the verified fix', async () => {
    const message = discord.userMessage({ content: `<@${BOT_ID}> ${paste()}`, author: '700000000000000011' });
    const sentAt = Date.now();
    discord.dispatchMessage(message);
    const status = await discord.waitForCall('POST', MESSAGES, repliesTo(message.id), 3000);
    expect(status.at - sentAt).toBeLessThan(3000);
    expect(status.json?.allowed_mentions).toEqual({ parse: ['users'], replied_user: true });

    const answer = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(message.id)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
    const embed = (answer.json?.embeds as { title: string; description?: string; fields?: { value: string }[] }[])[0];
    expect(embed?.title).toContain('Fixed');
    const all = discord.calls.filter((call) => call.method === 'POST' && MESSAGES.test(call.route) && call.at >= answer.at);
    const text = all.map((call) => contentOf(call)).join('\n');
    expect(text).toContain('```diff');
    expect(text).toContain(FIXED_LINE);
    for (const call of all) {
      expect(contentOf(call).length).toBeLessThanOrEqual(2000);
      expect(call.json?.allowed_mentions).toEqual({ parse: ['users'], replied_user: true });
    }
    const withButtons = all.find((call) => JSON.stringify(call.json?.components ?? []).includes('tracefix:up:'));
    expect(withButtons).toBeDefined();
    requestId = /tracefix:up:([^"]+)"/.exec(JSON.stringify(withButtons?.json?.components))?.[1] ?? '';
    expect(requestId).not.toBe('');
    const posted = [...discord.messages.values()].find((m) => (m.message_reference as { message_id?: string } | undefined)?.message_id === message.id && (m.embeds as unknown[]).length > 0);
    answerId = posted?.id ?? '';
    expect(answerId).not.toBe('');
    // The status reply ends on the headline.
    await discord.waitForCall('PATCH', /^\/channels\/\d+\/messages\/\d+$/, (call) => String(call.json?.content).includes('Fixed'));
    expect((await stack.store.get(requestId))?.result.status).toBe('fixed');
  }, REPAIR_TIMEOUT + 10_000);

  it('records a 👍 reaction on the answer in the store', async () => {
    discord.dispatchReaction({ messageId: answerId, emoji: '👍', user: '700000000000000012' });
    const voted = await eventually(async () => {
      const interaction = await stack.store.get(requestId);
      return interaction?.feedback.some((event) => event.vote === 'up' && event.source === 'reaction') === true ? interaction : undefined;
    }, 5000, 'the reaction vote');
    expect(voted.feedback).toHaveLength(1);
  });

  it('records a 👎 button and answers the clicker ephemerally', async () => {
    const { id } = discord.dispatchButton({ customId: `tracefix:down:${requestId}`, messageId: answerId, user: '700000000000000013' });
    const callback = await discord.waitForCall('POST', new RegExp(`^/interactions/${id}/`));
    expect(callback.json?.type).toBe(4);
    expect(((callback.json?.data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    await eventually(async () => {
      const interaction = await stack.store.get(requestId);
      return interaction?.feedback.some((event) => event.vote === 'down' && event.source === 'button') === true ? true : undefined;
    }, 5000, 'the button vote');
  });

  it('attaches the full trace on "Show full trace"', async () => {
    const { id } = discord.dispatchButton({ customId: `tracefix:trace:${requestId}`, messageId: answerId });
    const callback = await discord.waitForCall('POST', new RegExp(`^/interactions/${id}/`));
    expect(callback.files.map((file) => file.name)).toContain('trace.py');
    expect(callback.files[0]?.content).toContain('def add');
  });

  it('runs the same paste again on "Try again", replying to the answer', async () => {
    const { id } = discord.dispatchButton({ customId: `tracefix:retry:${requestId}`, messageId: answerId, user: '700000000000000017' });
    const callback = await discord.waitForCall('POST', new RegExp(`^/interactions/${id}/`));
    expect(((callback.json?.data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    const status = await discord.waitForCall('POST', MESSAGES, repliesTo(answerId));
    expect(contentOf(status)).toContain('⏳');
    const again = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(answerId)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
    expect(JSON.stringify(again.json?.embeds)).toContain('Fixed');
    expect(JSON.stringify(again.json?.components)).not.toContain(requestId);
  }, REPAIR_TIMEOUT + 10_000);

  it('fixes the code of the message a mention replies to', async () => {
    const code = discord.userMessage({ content: paste(), author: '700000000000000014', mentionsBot: false });
    const mention = discord.userMessage({ content: `<@${BOT_ID}> can you fix this?`, author: '700000000000000014', replyTo: code.id });
    discord.dispatchMessage(mention);
    await discord.waitForCall('GET', new RegExp(`^/channels/${CHANNEL_ID}/messages/${code.id}$`));
    const answer = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(mention.id)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
    expect(JSON.stringify(answer.json?.embeds)).toContain('Fixed');
  }, REPAIR_TIMEOUT + 10_000);

  it('tells a user over the hourly limit, kindly', async () => {
    // This user asked once above (the reply-to test); the limit is two an hour.
    const user = '700000000000000014';
    const message = discord.userMessage({ content: `<@${BOT_ID}> ${paste()}`, author: user });
    discord.dispatchMessage(message);
    const reply = await discord.waitForCall('POST', MESSAGES, repliesTo(message.id));
    // The second request is allowed; wait for its answer, then the third is refused.
    expect(String(reply.json?.content)).toContain('⏳');
    await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(message.id)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
    const third = discord.userMessage({ content: `<@${BOT_ID}> ${paste()}`, author: user });
    discord.dispatchMessage(third);
    const refusal = await discord.waitForCall('POST', MESSAGES, repliesTo(third.id));
    expect(String(refusal.json?.content)).toMatch(/limit of 2 fixes per hour/);
  }, REPAIR_TIMEOUT + 10_000);

  it('answers an oversized paste and a paste without code with their messages', async () => {
    const big = discord.userMessage({ content: `<@${BOT_ID}> ${paste('x = 1\n'.repeat(1000))}`, author: '700000000000000015' });
    discord.dispatchMessage(big);
    const bigReply = await discord.waitForCall('POST', MESSAGES, repliesTo(big.id));
    expect(String(bigReply.json?.content)).toMatch(/large|too long|bytes|limit|KB/i);

    const none = discord.userMessage({ content: `<@${BOT_ID}> my function is broken, please help`, author: '700000000000000016' });
    discord.dispatchMessage(none);
    const noneReply = await discord.waitForCall('POST', MESSAGES, repliesTo(none.id));
    expect(String(noneReply.json?.content).length).toBeGreaterThan(10);
    expect(noneReply.json?.content).not.toBe(bigReply.json?.content);
    // One reply each, and no status message: nothing ran.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of [big.id, none.id]) {
      expect(discord.calls.filter((call) => call.method === 'POST' && MESSAGES.test(call.route) && repliesTo(id)(call))).toHaveLength(1);
    }
  });

  it('answers a ```ts paste from the JavaScript runner (types stripped, lines kept)', async () => {
    const ts = jsPaste('ts', JS_CODE_TS);
    const message = discord.userMessage({ content: `<@${BOT_ID}> ${ts}`, author: '700000000000000031' });
    discord.dispatchMessage(message);
    const answer = await discord.waitForCall('POST', MESSAGES, (call) => repliesTo(message.id)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
    expect(JSON.stringify(answer.json?.embeds)).toContain('Fixed');
    const all = discord.calls.filter((call) => call.method === 'POST' && MESSAGES.test(call.route) && call.at >= answer.at);
    const text = all.map((call) => contentOf(call)).join('\n');
    expect(text).toMatch(JS_FIXED_LINE);
    // The diff is of what the user wrote, type annotations and all, at the line they wrote it.
    expect(text).toContain('function largest(xs: number[]): number {');
    const requestId = /tracefix:up:([^"]+)"/.exec(JSON.stringify(all.map((call) => call.json?.components ?? [])))?.[1] ?? '';
    const stored = await stack.store.get(requestId);
    expect(stored?.request.language).toBe('typescript');
    expect(stored?.result.status).toBe('fixed');
  }, REPAIR_TIMEOUT + 10_000);

  it('ignores messages that do not name the bot, and other bots', async () => {
    const plain = discord.userMessage({ content: paste(BUGGY_CODE, TESTS), mentionsBot: false });
    discord.dispatchMessage(plain);
    await discord.expectNoCall('POST', MESSAGES, 400);
    // Another bot naming tracefix with a paste that a person would get an answer to.
    const fromBot = discord.userMessage({ content: `<@${BOT_ID}> ${paste()}`, author: '700000000000000099', authorIsBot: true });
    expect(fromBot.author.bot).toBe(true);
    discord.dispatchMessage(fromBot);
    await discord.expectNoCall('POST', MESSAGES, 400);
  });
});

describe.skipIf(SKIP)('Discord settings', () => {
  const limits = { maxPasteBytes: 4000, userPerHour: 5, channelPerHour: 100 };

  it('refuses to start with a wrong token, or with help channels when Message Content is not enabled', async () => {
    for (const [token, helpChannels] of [['wrong-token', []], [DISCORD_TOKEN, [CHANNEL_ID]]] as const) {
      const other = createDiscordBot({
        config: { token, apiUrl: discord.apiUrl, helpChannels: [...helpChannels] },
        limits,
        service: stack.service,
        store: stack.store,
        logger: silentLogger(),
        readyTimeoutMs: 5000,
        clientOptions: { rest: { retries: 0, timeout: 2000 } },
      });
      await expect(other.start()).rejects.toThrow(/DISCORD_TOKEN and the bot’s intents/);
      await other.stop();
    }
  }, 20_000);

  it('answers a help-channel post with a traceback and code when Message Content is enabled', async () => {
    const privileged = await startDiscordStandIn({ heartbeatMs: 1000, allowPrivileged: true });
    const helper = createDiscordBot({
      config: { token: DISCORD_TOKEN, apiUrl: privileged.apiUrl, helpChannels: [CHANNEL_ID] },
      limits,
      service: stack.service,
      store: stack.store,
      logger: silentLogger(),
      statusIntervalMs: 50,
      clientOptions: { rest: { retries: 0, timeout: 2000 } },
    });
    try {
      await helper.start();
      expect((privileged.identifies[0]?.intents ?? 0) & (1 << 15)).not.toBe(0);
      const traceback = 'Traceback (most recent call last):\n  File "t.py", line 3, in <module>\n    assert add(2, 3) == 5\nAssertionError';
      const chatter = privileged.userMessage({ content: 'anyone around?', mentionsBot: false });
      privileged.dispatchMessage(chatter);
      const post = privileged.userMessage({ content: `${paste()}\n${traceback}`, mentionsBot: false });
      privileged.dispatchMessage(post);
      const answer = await privileged.waitForCall('POST', MESSAGES, (call) => repliesTo(post.id)(call) && Array.isArray(call.json?.embeds) && (call.json.embeds as unknown[]).length > 0, REPAIR_TIMEOUT);
      expect(JSON.stringify(answer.json?.embeds)).toContain('Fixed');
      expect(privileged.calls.some((call) => repliesTo(chatter.id)(call))).toBe(false);
    } finally {
      await helper.stop();
      await privileged.close();
    }
  }, REPAIR_TIMEOUT + 10_000);
});
