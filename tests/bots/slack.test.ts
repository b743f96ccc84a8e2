/**
 * End to end: the real @slack/bolt (HTTP receiver mounted under /slack/ on tracefix's shared HTTP
 * server, and Socket Mode)
 * against the Slack stand-in, the real repair engine (program search, no model) on a real sandbox, and
 * the real feedback store on a SQLite file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot, slackMount, type SlackBot } from '../../bots/slack/index.ts';
import type { KeyvFeedbackStore } from '../../src/feedback/store.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import type { RepairService } from '../../src/repair/types.ts';
import { slackSignature, startSlackStandIn, STANDIN_APP_TOKEN, STANDIN_TEAM, type SlackCall, type SlackStandIn } from '../standins/slack.ts';
import { BUGGY_CODE, eventually, FIXED_LINE, JS_FIXED_LINE, jsPaste, paste, TESTS } from './fixtures.ts';
import { skipReason, startRepairStack, type RepairStack } from './stack.ts';

const SKIP = skipReason('tests/bots/slack.test.ts') !== undefined;

const SECRET = 'standin-signing-secret';
const CHANNEL = 'C0HELP';
const REPAIR_TIMEOUT = 60_000;

let slack: SlackStandIn;
let stack: RepairStack;
let bot: SlackBot;
let server: HttpServer;
let eventsUrl: string;

function blocksOf(call: SlackCall): Record<string, unknown>[] {
  const blocks = call.body.blocks;
  return typeof blocks === 'string' ? (JSON.parse(blocks) as Record<string, unknown>[]) : [];
}

function blockText(call: SlackCall): string {
  return JSON.stringify(blocksOf(call));
}

async function signedPost(
  body: string,
  contentType: string,
  options: { secret?: string; timestamp?: number; omit?: 'signature' | 'timestamp'; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; ms: number }> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': contentType, ...options.headers };
  if (options.omit !== 'timestamp') headers['x-slack-request-timestamp'] = String(timestamp);
  if (options.omit !== 'signature') headers['x-slack-signature'] = slackSignature(options.secret ?? SECRET, timestamp, body);
  const started = Date.now();
  const response = await fetch(eventsUrl, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, text, ms: Date.now() - started };
}

function command(text: string, user: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: STANDIN_TEAM,
    team_domain: 'standin',
    channel_id: CHANNEL,
    channel_name: 'help',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/fix',
    text,
    api_app_id: 'A0APP',
    response_url: slack.responseUrl(),
    trigger_id: `trigger-${user}`,
    ...extra,
  }).toString();
}

function eventCallback(eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: STANDIN_TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
}

const HELP_CHANNEL = 'C0HELPDESK';

function startBot(service: RepairService, store: KeyvFeedbackStore, extra: { appToken?: string; userPerHour?: number; deadlineMs?: number } = {}): SlackBot {
  return createSlackBot({
    config: {
      botToken: 'xoxb-standin',
      signingSecret: SECRET,
      apiUrl: slack.apiUrl,
      helpChannels: [HELP_CHANNEL],
      ...(extra.appToken === undefined ? {} : { appToken: extra.appToken }),
    },
    limits: { maxPasteBytes: 4000, userPerHour: extra.userPerHour ?? 1, channelPerHour: 100 },
    service,
    store,
    logger: silentLogger(),
    statusIntervalMs: 50,
    deadlineMs: extra.deadlineMs ?? REPAIR_TIMEOUT,
    clientOptions: { retryConfig: { retries: 0 } },
  });
}

interface FixedAnswer {
  /** The status message in the channel, and the answer posted in its thread. */
  status: SlackCall;
  answer: SlackCall;
  requestId: string;
  ackMs: number;
}

/**
 * A /fix of the buggy paste by `user`, through to the answer in the thread. Each test that needs an
 * answer asks for its own, as its own user (each has an hourly limit of 1), so no test depends on
 * another having run first.
 */
async function askForFix(user: string): Promise<FixedAnswer> {
  const response = await signedPost(command(paste(), user), 'application/x-www-form-urlencoded');
  expect(response.status).toBe(200);
  const status = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === undefined && String(call.body.text).startsWith(`<@${user}>`));
  const statusTs = String(status.response?.ts);
  const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === statusTs, REPAIR_TIMEOUT);
  // The status message ends on the headline once the answer is linked to its request (reactions and
  // buttons on the answer find it from then on).
  await slack.waitForCall('chat.update', (call) => call.body.ts === statusTs && String(call.body.text).includes('Fixed'));
  const actions = blocksOf(answer).find((block) => block.type === 'actions');
  const up = (actions?.elements as { action_id: string; value?: string }[] | undefined)?.find((e) => e.action_id === 'tracefix_vote_up');
  const requestId = up?.value ?? '';
  expect(requestId).not.toBe('');
  return { status, answer, requestId, ackMs: response.ms };
}

beforeAll(async () => {
  if (SKIP) return;
  slack = await startSlackStandIn();
  stack = await startRepairStack();
  bot = startBot(stack.service, stack.store);
  expect(bot.mode).toBe('http');
  const mount = slackMount(bot);
  if (mount === undefined) throw new Error('HTTP mode has a request listener');
  // Mounted the way src/main mounts it: the body reaches bolt unread, so signatures verify.
  server = createHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    metrics: createMetrics({ processMetrics: false }),
    mounts: [mount],
  });
  const { url } = await server.listen();
  eventsUrl = `${url}/slack/events`;
  // Before start() the listener refuses politely instead of handing bolt an uninitialised app.
  expect((await fetch(eventsUrl, { method: 'POST', body: '{}' })).status).toBe(503);
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await server?.close();
  await stack?.close();
  await slack?.close();
});

describe.skipIf(SKIP)('Slack over HTTP', () => {
  it('acks a signed /fix within 3 s, then answers in the thread with the verified fix', async () => {
    const { status, answer, requestId, ackMs } = await askForFix('U0ALICE');
    expect(ackMs).toBeLessThan(3000);
    expect(String(status.body.channel)).toBe(CHANNEL);
    // The asker is mentioned (a real mention, not escaped), the rest of the line is.
    expect(String(status.body.text)).toMatch(/^<@U0ALICE> asked for a fix\. /);
    expect(blockText(status)).toContain('<@U0ALICE>');
    const statusTs = String(status.response?.ts);

    const blocks = blocksOf(answer);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(blocks[0])).toContain('Fixed');
    expect(blockText(answer)).toContain(FIXED_LINE);
    for (const block of blocks) {
      const text = (block.text as { text?: string } | undefined)?.text;
      if (text !== undefined) expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(String(answer.body.text).length).toBeLessThanOrEqual(4000);
    const actions = blocks.find((block) => block.type === 'actions');
    expect(JSON.stringify(actions)).toContain('tracefix_vote_up');
    expect(slack.calls.some((call) => call.method === 'chat.update' && call.body.ts === statusTs && String(call.body.text).includes('Fixed'))).toBe(true);
    const stored = await stack.store.get(requestId);
    expect(stored?.result.status).toBe('fixed');
  }, REPAIR_TIMEOUT + 10_000);

  it('records a 👍 reaction (with a skin tone) on the answer in the store', async () => {
    const { answer, requestId } = await askForFix('U0REACTED');
    const ts = String(answer.response?.ts);
    const response = await signedPost(
      eventCallback('Ev0REACT1', { type: 'reaction_added', user: 'U0BOB', reaction: '+1::skin-tone-3', item: { type: 'message', channel: CHANNEL, ts }, item_user: 'U0BOT', event_ts: '1.2' }),
      'application/json',
    );
    expect(response.status).toBe(200);
    const voted = await eventually(async () => {
      const interaction = await stack.store.get(requestId);
      return interaction?.feedback.some((event) => event.vote === 'up' && event.source === 'reaction') === true ? interaction : undefined;
    }, 5000, 'the vote');
    expect(voted.feedback).toHaveLength(1);
    // The store keeps pseudonyms, not Slack ids.
    expect(voted.feedback[0]?.user).not.toBe('U0BOB');
  }, REPAIR_TIMEOUT + 10_000);

  it('records a 👎 button and answers the clicker privately', async () => {
    const { answer, requestId } = await askForFix('U0VOTED');
    const payload = {
      type: 'block_actions',
      user: { id: 'U0CAROL', team_id: STANDIN_TEAM },
      team: { id: STANDIN_TEAM },
      api_app_id: 'A0APP',
      trigger_id: 't1',
      channel: { id: CHANNEL },
      message: { ts: String(answer.response?.ts), thread_ts: String(answer.body.thread_ts) },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'tracefix_vote_down', block_id: 'tracefix_feedback', value: requestId, action_ts: '1' }],
    };
    const response = await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    await eventually(async () => {
      const interaction = await stack.store.get(requestId);
      return interaction?.feedback.some((event) => event.vote === 'down' && event.source === 'button') === true ? true : undefined;
    }, 5000, 'the button vote');
    const thanks = await slack.waitForCall('response_url', (call) => String(call.body.text).includes('👎'));
    expect(thanks.body.response_type).toBe('ephemeral');
  }, REPAIR_TIMEOUT + 10_000);

  it('runs the same paste again on "Try again", in the same thread', async () => {
    const { answer, requestId } = await askForFix('U0RETRIED');
    const thread = String(answer.body.thread_ts);
    const before = slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === thread).length;
    const payload = {
      type: 'block_actions',
      user: { id: 'U0OSCAR', team_id: STANDIN_TEAM },
      team: { id: STANDIN_TEAM },
      api_app_id: 'A0APP',
      trigger_id: 't4',
      channel: { id: CHANNEL },
      message: { ts: String(answer.response?.ts), thread_ts: thread },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'tracefix_retry', block_id: 'tracefix_feedback', value: requestId, action_ts: '3' }],
    };
    const response = await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    const again = await eventually(() => {
      const posts = slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === thread);
      return posts.length >= before + 2 && blockText(posts.at(-1) as SlackCall).includes('header') ? posts.at(-1) : undefined;
    }, REPAIR_TIMEOUT, 'the second answer');
    expect(blockText(again)).toContain(FIXED_LINE);
    expect(blockText(again)).not.toContain(requestId);
  }, 2 * REPAIR_TIMEOUT + 10_000);

  it('tells a user over the hourly limit, kindly, and runs nothing', async () => {
    // The user's one fix this hour, answered; the next is refused.
    await askForFix('U0LIMITED');
    const before = slack.calls.length;
    const response = await signedPost(command(paste(), 'U0LIMITED'), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text) as { text: string; response_type: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/limit of 1 fixes per hour/);
    await slack.expectNoCall('chat.postMessage', undefined, 300);
    expect(slack.calls.slice(before).filter((call) => call.method === 'chat.postMessage')).toHaveLength(0);
  }, REPAIR_TIMEOUT + 10_000);

  it('answers an oversized paste and a paste without code with their messages', async () => {
    const big = await signedPost(command(paste('x = 1\n'.repeat(1000)), 'U0DAVE'), 'application/x-www-form-urlencoded');
    const bigBody = JSON.parse(big.text) as { text: string; response_type: string };
    expect(bigBody.response_type).toBe('ephemeral');
    expect(bigBody.text).toMatch(/large|too long|bytes|limit|KB/i);

    const none = await signedPost(command('my function is broken, please help', 'U0ERIN'), 'application/x-www-form-urlencoded');
    const noneBody = JSON.parse(none.text) as { text: string; response_type: string };
    expect(noneBody.response_type).toBe('ephemeral');
    expect(noneBody.text.length).toBeGreaterThan(10);
    expect(noneBody.text).not.toBe(bigBody.text);
    await slack.expectNoCall('chat.postMessage', undefined, 300);
  });

  it('rejects a forged signature, a stale timestamp and missing headers with 401, and runs nothing', async () => {
    const body = command(paste(), 'U0MALLORY');
    const forged = await signedPost(body, 'application/x-www-form-urlencoded', { secret: 'not-the-secret' });
    const stale = await signedPost(body, 'application/x-www-form-urlencoded', { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    const noSignature = await signedPost(body, 'application/x-www-form-urlencoded', { omit: 'signature' });
    const noTimestamp = await signedPost(body, 'application/x-www-form-urlencoded', { omit: 'timestamp' });
    expect([forged.status, stale.status, noSignature.status, noTimestamp.status]).toEqual([401, 401, 401, 401]);
    await slack.expectNoCall('chat.postMessage', undefined, 500);
  });

  it('answers 404 for paths under /slack/ that are not its own', async () => {
    const response = await fetch(eventsUrl.replace('/slack/events', '/slack/elsewhere'), { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('handles an Events API retry of the same event_id once', async () => {
    const event = { type: 'app_mention', user: 'U0FRANK', text: '<@U0BOT>', ts: '1700000500.000100', channel: CHANNEL, event_ts: '1700000500.000100' };
    const first = await signedPost(eventCallback('Ev0DUP', event), 'application/json');
    const retry = await signedPost(eventCallback('Ev0DUP', event), 'application/json', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === event.ts);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === event.ts)).toHaveLength(1);
  });

  it('opens a modal for /fix alone', async () => {
    const response = await signedPost(command('', 'U0GRACE'), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    const open = await slack.waitForCall('views.open');
    expect(open.body.trigger_id).toBe('trigger-U0GRACE');
    const view = JSON.parse(String(open.body.view)) as { callback_id: string; blocks: { block_id: string }[] };
    expect(view.callback_id).toBe('tracefix_fix_modal');
    expect(view.blocks.map((block) => block.block_id)).toEqual(['code', 'tests', 'description']);
  });

  it('runs the repair from the modal and answers in the channel it was opened from', async () => {
    const payload = {
      type: 'view_submission',
      team: { id: STANDIN_TEAM, domain: 'standin' },
      user: { id: 'U0GRACE', team_id: STANDIN_TEAM },
      api_app_id: 'A0APP',
      trigger_id: 't2',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'tracefix_fix_modal',
        private_metadata: JSON.stringify({ channel: 'C0MODAL', team: STANDIN_TEAM }),
        state: {
          values: {
            code: { value: { type: 'plain_text_input', value: BUGGY_CODE } },
            tests: { value: { type: 'plain_text_input', value: TESTS } },
            description: { value: { type: 'plain_text_input', value: null } },
          },
        },
      },
    };
    const response = await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    expect(response.ms).toBeLessThan(3000);
    const status = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'C0MODAL' && call.body.thread_ts === undefined);
    const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === status.response?.ts, REPAIR_TIMEOUT);
    expect(blockText(answer)).toContain(FIXED_LINE);
  }, REPAIR_TIMEOUT + 10_000);

  it('uploads the full trace as a file on "Show full trace"', async () => {
    const { answer, requestId } = await askForFix('U0TRACED');
    const payload = {
      type: 'block_actions',
      user: { id: 'U0CAROL', team_id: STANDIN_TEAM },
      team: { id: STANDIN_TEAM },
      api_app_id: 'A0APP',
      trigger_id: 't3',
      channel: { id: CHANNEL },
      message: { ts: String(answer.response?.ts), thread_ts: String(answer.body.thread_ts) },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'tracefix_full_trace', block_id: 'tracefix_feedback', value: requestId, action_ts: '2' }],
    };
    await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    const url = await slack.waitForCall('files.getUploadURLExternal');
    expect(url.body.filename).toBe('trace.py');
    const complete = await slack.waitForCall('files.completeUploadExternal');
    expect(complete.body.channel_id).toBe(CHANNEL);
    expect(complete.body.thread_ts).toBe(String(answer.body.thread_ts));
    const uploaded = [...slack.uploads.values()].find((file) => file.filename === 'trace.py');
    expect(uploaded?.content).toContain('def add');
  }, REPAIR_TIMEOUT + 10_000);

  it('offers help on a help-channel post with a traceback and code, and ignores other posts', async () => {
    const text = `my add is wrong:\n\`\`\`\n${BUGGY_CODE}\n\`\`\`\n\`\`\`\n${TESTS}\n\`\`\`\nTraceback (most recent call last):\n  File "t.py", line 3, in &lt;module&gt;\n    assert add(2, 3) == 5\nAssertionError`;
    const quiet = { type: 'message', channel: 'C0ELSEWHERE', user: 'U0IVAN', text, ts: '1700000600.000100', event_ts: '1700000600.000100', channel_type: 'channel' };
    await signedPost(eventCallback('Ev0QUIET', quiet), 'application/json');
    const post = { ...quiet, channel: HELP_CHANNEL, ts: '1700000601.000100', event_ts: '1700000601.000100' };
    await signedPost(eventCallback('Ev0HELP', post), 'application/json');
    const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === post.ts && call.body.blocks !== undefined && blockText(call).includes('header'), REPAIR_TIMEOUT);
    expect(blockText(answer)).toContain(FIXED_LINE);
    expect(slack.calls.some((call) => call.method === 'chat.postMessage' && call.body.thread_ts === quiet.ts)).toBe(false);
  }, REPAIR_TIMEOUT + 10_000);

  it('reads a code file attached to a mention (with the bot token, from Slack only)', async () => {
    const url = slack.hostFile('add.py', BUGGY_CODE);
    const event = {
      type: 'app_mention',
      user: 'U0JUDY',
      text: `<@U0BOT> the attached add.py fails these:\n\`\`\`\n${TESTS}\n\`\`\``,
      ts: '1700000700.000100',
      channel: CHANNEL,
      event_ts: '1700000700.000100',
      files: [{ id: 'F0ADD', name: 'add.py', mimetype: 'text/x-python', size: BUGGY_CODE.length, url_private: url, url_private_download: url }],
    };
    await signedPost(eventCallback('Ev0FILE', event), 'application/json');
    const download = await slack.waitForCall('file_download');
    expect(download.headers.authorization).toBe('Bearer xoxb-standin');
    const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === event.ts && blockText(call).includes('header'), REPAIR_TIMEOUT);
    expect(blockText(answer)).toContain(FIXED_LINE);
  }, REPAIR_TIMEOUT + 10_000);

  it('never sends the token to a file host other than Slack, and refuses an oversized file before fetching it', async () => {
    const { createServer } = await import('node:http');
    const hits: string[] = [];
    const elsewhere = createServer((req, res) => {
      hits.push(String(req.headers.authorization));
      res.end(BUGGY_CODE);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const port = (elsewhere.address() as { port: number }).port;
    try {
      const sneaky = {
        type: 'app_mention',
        user: 'U0MIKE',
        text: `<@U0BOT> see file\n\`\`\`\n${TESTS}\n\`\`\``,
        ts: '1700000800.000100',
        channel: CHANNEL,
        files: [{ id: 'F0EVIL', name: 'add.py', size: 30, url_private: `http://127.0.0.1:${port}/add.py` }],
      };
      await signedPost(eventCallback('Ev0SNEAKY', sneaky), 'application/json');
      await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === sneaky.ts);
      expect(hits).toEqual([]);

      const big = { ...sneaky, ts: '1700000801.000100', files: [{ id: 'F0BIG', name: 'huge.py', size: 10_000_000, url_private: slack.hostFile('huge.py', 'x = 1') }] };
      await signedPost(eventCallback('Ev0BIGFILE', big), 'application/json');
      const refusal = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === big.ts);
      expect(String(refusal.body.text)).toMatch(/huge\.py is 9\.5 MB, over the 3\.9 KB limit.*\(reference: /);
      expect(slack.calls.some((call) => call.method === 'file_download' && call.path.endsWith('huge.py'))).toBe(false);
    } finally {
      elsewhere.closeAllConnections();
      await new Promise<void>((resolve) => elsewhere.close(() => resolve()));
    }
  });

  it('answers a ```js paste from the JavaScript runner, with a // trace of the JS it ran', async () => {
    const response = await signedPost(command(jsPaste('js'), 'U0JSDEV'), 'application/x-www-form-urlencoded');
    expect(response.status).toBe(200);
    const status = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === undefined && String(call.body.text).startsWith('<@U0JSDEV>'));
    const statusTs = String(status.response?.ts);
    const reply = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === statusTs, REPAIR_TIMEOUT);
    const text = blockText(reply);
    expect(JSON.stringify(blocksOf(reply)[0])).toContain('Fixed');
    // Slack mrkdwn escapes < and >; the user reads them unescaped.
    expect(text.replaceAll('&lt;', '<').replaceAll('&gt;', '>')).toMatch(JS_FIXED_LINE);
    expect(text).toContain('--- a/program.js');
    // The edit is shown line for line, as for Python: the line as written, then as fixed.
    expect(text.replaceAll('&lt;', '<')).toMatch(/The fix, line 3: [^(]*\(`\s*for \(let i = 1; i < xs\.length - 1; i\+\+\) \{` → `\s*for/);
    expect(text).not.toMatch(/Traceback|SyntaxError/);
    const actions = blocksOf(reply).find((block) => block.type === 'actions');
    const requestId = (actions?.elements as { action_id: string; value?: string }[] | undefined)?.find((e) => e.action_id === 'tracefix_vote_up')?.value ?? '';
    const stored = await stack.store.get(requestId);
    expect(stored?.request.language).toBe('javascript');
    expect(stored?.result.status).toBe('fixed');
    expect(stored?.result.trace?.rendered).toMatch(/\/\/ \(\d+\) xs=\[2, 9\];/);
  }, REPAIR_TIMEOUT + 10_000);

  it('escapes &, < and > in what it echoes', async () => {
    const { escapeSlack } = await import('../../bots/slack/render.ts');
    expect(escapeSlack('a < b && c > d <!channel>')).toBe('a &lt; b &amp;&amp; c &gt; d &lt;!channel&gt;');
  });
});

describe.skipIf(SKIP)('Slack over Socket Mode', () => {
  it('connects with the app token and answers /fix in the thread', async () => {
    const socketBot = startBot(stack.service, stack.store, { appToken: STANDIN_APP_TOKEN, userPerHour: 5 });
    expect(socketBot.mode).toBe('socket');
    expect(socketBot.requestListener).toBeUndefined();
    await socketBot.start();
    try {
      await slack.waitForSocket();
      const open = await slack.waitForCall('apps.connections.open');
      expect(open.headers.authorization).toBe(`Bearer ${STANDIN_APP_TOKEN}`);
      const sentAt = Date.now();
      const envelope = slack.pushEnvelope('slash_commands', {
        token: 'legacy',
        team_id: STANDIN_TEAM,
        channel_id: 'C0SOCKET',
        user_id: 'U0HEIDI',
        command: '/fix',
        text: paste(),
        api_app_id: 'A0APP',
        response_url: slack.responseUrl(),
        trigger_id: 'trigger-socket',
      });
      const ack = await slack.waitForAck(envelope, 3000);
      expect(ack.at - sentAt).toBeLessThan(3000);
      const status = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'C0SOCKET' && call.body.thread_ts === undefined);
      const answer = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === status.response?.ts, REPAIR_TIMEOUT);
      expect(blockText(answer)).toContain(FIXED_LINE);
    } finally {
      await socketBot.stop();
    }
  }, REPAIR_TIMEOUT + 10_000);
});

describe.skipIf(SKIP)('Slack errors', () => {
  it('refuses HTTP mode without a signing secret, naming the settings', () => {
    expect(() =>
      createSlackBot({
        config: { botToken: 'xoxb-standin', helpChannels: [] },
        limits: { maxPasteBytes: 4000, userPerHour: 1, channelPerHour: 1 },
        service: stack.service,
        store: stack.store,
        logger: silentLogger(),
      }),
    ).toThrow(/SLACK_SIGNING_SECRET.*SLACK_APP_TOKEN/);
  });

  it('ends a repair at the per-request deadline and says so', async () => {
    const hurried = startBot(stack.service, stack.store, { appToken: STANDIN_APP_TOKEN, userPerHour: 5, deadlineMs: 1 });
    await hurried.start();
    try {
      await slack.waitForSocket();
      slack.pushEnvelope('slash_commands', {
        team_id: STANDIN_TEAM,
        channel_id: 'C0DEADLINE',
        user_id: 'U0KARL',
        command: '/fix',
        text: paste(),
        response_url: slack.responseUrl(),
        trigger_id: 'trigger-deadline',
      });
      const status = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'C0DEADLINE');
      // The engine either stops with the deadline error (one sentence and the reference, in the status
      // message) or, when the tests had already run, answers with what it had: both tell the user why.
      const told = await eventually(() => {
        const mine = slack.calls.filter((call) => call.body.channel === 'C0DEADLINE');
        const error = mine.find((call) => call.method === 'chat.update' && /\(reference: [^)]+\)$/.test(String(call.body.text)));
        if (error !== undefined) return String(error.body.text);
        const answer = mine.find((call) => call.method === 'chat.postMessage' && call.body.thread_ts === status.response?.ts);
        return answer === undefined ? undefined : String(answer.body.text);
      }, 10_000, 'the deadline to be reported');
      expect(told).toMatch(/longer than the time allowed|out of time/i);
    } finally {
      await hurried.stop();
    }
  });
});
