/**
 * Slack after the answer, end to end through the real @slack/bolt against the Slack stand-in, the real
 * engine (process sandbox) and the real SQLite store: the not-pinned question's buttons (the choice
 * becomes a test and the repair is verified again), "why?" and another assert as thread replies, and
 * the paste limit measured on the text as the user typed it (after Slack's escaping is undone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackBot, slackMount, type SlackBot } from '../../bots/slack/index.ts';
import { createHttpServer, createMetrics, type HttpServer } from '../../src/http/index.ts';
import { silentLogger } from '../../src/log.ts';
import { slackSignature, startSlackStandIn, STANDIN_TEAM, type SlackCall, type SlackStandIn } from '../standins/slack.ts';
import { BUGGY_CODE, eventually, FIXED_LINE, paste } from './fixtures.ts';
import { ADD_CHOSEN_TEST, ADD_LOOSE_TESTS, addNotPinnedResult } from './results.ts';
import { scriptedFirst, type ScriptedService } from './scripted-service.ts';
import { skipReason, startRepairStack, type RepairStack } from './stack.ts';

const SKIP = skipReason('tests/bots/slack-follow-ups.test.ts') !== undefined;
const SECRET = 'standin-signing-secret';
const CHANNEL = 'C0FOLLOW';
const REPAIR_TIMEOUT = 60_000;
const LOOSE_TESTS = ADD_LOOSE_TESTS;
const CHOSEN_TEST = ADD_CHOSEN_TEST;

let slack: SlackStandIn;
let stack: RepairStack;
let service: ScriptedService;
let bot: SlackBot;
let eventsUrl: string;
let server: HttpServer;

function blockText(call: SlackCall): string {
  return typeof call.body.blocks === 'string' ? call.body.blocks : '';
}

async function signedPost(body: string, contentType: string): Promise<number> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(eventsUrl, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SECRET, timestamp, body) },
    body,
  });
  await response.text();
  return response.status;
}

function mention(eventId: string, text: string, ts: string, threadTs?: string): string {
  return JSON.stringify({
    team_id: STANDIN_TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_mention', user: 'U0ALICE', text: `<@U0BOT> ${text}`, ts, channel: CHANNEL, event_ts: ts, ...(threadTs === undefined ? {} : { thread_ts: threadTs }) },
  });
}

/** The slash-command body of `/fix text`. */
function command(text: string): string {
  return new URLSearchParams({
    team_id: STANDIN_TEAM,
    channel_id: CHANNEL,
    user_id: 'U0ALICE',
    command: '/fix',
    text,
    response_url: slack.responseUrl(),
    trigger_id: 'trigger-1',
  }).toString();
}

function answersIn(thread: string): SlackCall[] {
  return slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === thread && blockText(call).includes('"header"'));
}

beforeAll(async () => {
  if (SKIP) return;
  slack = await startSlackStandIn();
  stack = await startRepairStack();
  service = scriptedFirst(stack.service, LOOSE_TESTS, () => addNotPinnedResult());
  bot = createSlackBot({
    config: { botToken: 'xoxb-standin', signingSecret: SECRET, apiUrl: slack.apiUrl, helpChannels: [] },
    limits: { maxPasteBytes: 600, userPerHour: 100, channelPerHour: 100 },
    service,
    store: stack.store,
    logger: silentLogger(),
    statusIntervalMs: 50,
    deadlineMs: REPAIR_TIMEOUT,
    clientOptions: { retryConfig: { retries: 0 } },
  });
  const mount = slackMount(bot);
  if (mount === undefined) throw new Error('HTTP mode has a request listener');
  server = createHttpServer({ host: '127.0.0.1', port: 0, logger: silentLogger(), metrics: createMetrics({ processMetrics: false }), mounts: [mount] });
  const { url } = await server.listen();
  eventsUrl = `${url}/slack/events`;
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await server?.close();
  await stack?.close();
  await slack?.close();
});

describe.skipIf(SKIP)('Slack follow-ups', () => {
  const root = '1700001000.000100';
  let firstAnswer: SlackCall;

  it('asks which fix is right, with a button per option, when the tests do not pin it down', async () => {
    expect(await signedPost(mention('Ev0PIN1', paste(BUGGY_CODE, LOOSE_TESTS), root), 'application/json')).toBe(200);
    firstAnswer = await eventually(() => answersIn(root)[0], REPAIR_TIMEOUT, 'the not-pinned answer');
    const text = blockText(firstAnswer);
    expect(text).toContain('they disagree on `add(2, 3)`');
    expect(text).toContain('A: 5');
    expect(text).toContain('B: 6');
    expect(text).toContain('tracefix_choose_0');
  }, REPAIR_TIMEOUT + 10_000);

  it('turns the chosen option into a test, runs the repair again and verifies it', async () => {
    const requestId = service.requests[0]?.id ?? '';
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ALICE', team_id: STANDIN_TEAM },
      team: { id: STANDIN_TEAM },
      channel: { id: CHANNEL },
      message: { ts: String(firstAnswer.response?.ts), thread_ts: root },
      response_url: slack.responseUrl(),
      actions: [{ type: 'button', action_id: 'tracefix_choose_0', block_id: 'tracefix_choice', value: `${requestId}|0`, action_ts: '1' }],
    };
    expect(await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded')).toBe(200);
    const second = await eventually(() => answersIn(root)[1], REPAIR_TIMEOUT, 'the re-verified answer');
    expect(service.requests[1]?.tests).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}`);
    // the picked answer is the user's word on the input the fixes disagreed on: it settles the fix
    expect(service.requests[1]?.confirmedTests).toEqual([CHOSEN_TEST]);
    expect(blockText(second)).toContain('Fixed');
    expect(blockText(second)).toContain(FIXED_LINE);
    expect(blockText(second)).toContain(CHOSEN_TEST.replace(/"/g, '\\"'));
    const note = slack.calls.find((call) => call.method === 'chat.postMessage' && String(call.body.text).includes('Checking again with'));
    expect(String(note?.body.text)).toContain('`assert add(2, 3) == 5` added to your tests');
    // Follow-ups in the thread now go to the verified answer.
    const rerunId = service.requests[1]?.id;
    await eventually(async () => ((await stack.store.findByAnswer('slack', `thread:${CHANNEL}:${root}`))?.id === rerunId ? true : undefined), 5000, 'the thread link');
  }, REPAIR_TIMEOUT + 10_000);

  it('answers "why?" in the thread with the divergence and the whole trace attached', async () => {
    const uploadsBefore = slack.uploads.size;
    expect(await signedPost(mention('Ev0WHY1', 'why?', '1700001000.000300', root), 'application/json')).toBe(200);
    await eventually(() => (slack.uploads.size > uploadsBefore ? true : undefined), 5000, 'the trace upload');
    const trace = [...slack.uploads.values()].at(-1);
    expect(trace?.filename).toBe('trace.py');
    expect(trace?.content).toContain('# (');
    const words = slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.thread_ts === root).at(-1);
    expect(String(words?.body.text)).toContain('full NExT trace');
  });

  it('re-runs with an assert given in a thread reply', async () => {
    const before = service.requests.length;
    const reply = 'try again with this test ```assert add(10, 5) == 15```';
    expect(await signedPost(mention('Ev0TEST1', reply, '1700001000.000400', root), 'application/json')).toBe(200);
    const third = await eventually(() => answersIn(root)[2], REPAIR_TIMEOUT, 'the answer with the added test');
    expect(service.requests[before]?.tests).toBe(`${LOOSE_TESTS}\n${CHOSEN_TEST}\nassert add(10, 5) == 15`);
    // a typed assert is a test, not a confirmation; the earlier pick is kept
    expect(service.requests[before]?.confirmedTests).toEqual([CHOSEN_TEST]);
    expect(blockText(third)).toContain('assert add(10, 5) == 15');
  }, REPAIR_TIMEOUT + 10_000);

  it('measures the paste limit after unescaping: & counts one byte, not the five of &amp;', async () => {
    // 150 `&` in a comment: 150 bytes as typed, 750 as Slack sends them; the limit is 600.
    const code = `# ${'&'.repeat(150)}\n${BUGGY_CODE}`;
    const escaped = paste(code, CHOSEN_TEST).replace(/&/g, '&amp;');
    expect(Buffer.byteLength(escaped)).toBeGreaterThan(600);
    expect(await signedPost(command(escaped), 'application/x-www-form-urlencoded')).toBe(200);
    const refusal = slack.calls.find((call) => call.method === 'response_url' && /large|limit/i.test(String(call.body.text)));
    expect(refusal).toBeUndefined();
    const status = await slack.waitForCall('chat.postMessage', (call) => call.body.thread_ts === undefined && String(call.body.text).includes('asked for a fix'));
    const answer = await eventually(() => answersIn(String(status.response?.ts))[0], REPAIR_TIMEOUT, 'the answer');
    expect(blockText(answer)).toContain(FIXED_LINE);
    // The code that ran has the user's `&`, not the entities.
    expect(service.requests.at(-1)?.code).toContain('&'.repeat(150));
  }, REPAIR_TIMEOUT + 10_000);
});
