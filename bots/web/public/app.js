// The tracefix web chat. A plain ES module, no framework and no bundler: everything the server sends is
// data and goes into the page through textContent (never innerHTML), so user code can never become markup.
// The one dependency, eventsource-parser, is served from node_modules as its self-contained ES module.
import { createParser } from '/vendor/eventsource-parser.js';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('fix-form');
  const button = $('fix');
  const statusLine = $('status');
  const resultBox = $('result');
  let current = null; // { id, token } of the answer on screen
  let inFlight = null; // AbortController of the running request
  // Tests the user added by picking an offered answer: sent along, so the server knows they are the user's
  // word on an input the fixes disagreed on (it keeps only those still in the tests box).
  const confirmed = [];

  const HEADERS = { 'content-type': 'application/json', 'x-tracefix-request': '1' };
  const MARK = { passed: '✓ pass', failed: '✗ fail', error: '‼ error', timeout: '⏱ timeout' };

  function setStatus(text, kind) {
    statusLine.hidden = false;
    statusLine.textContent = text;
    statusLine.className = 'status' + (kind ? ' ' + kind : '');
  }

  // A search step can take tens of seconds with the same status line; the seconds counter shows the
  // page has not hung. It is not in the text, so screen readers are not told every second.
  let ticker = null;
  function startTicker() {
    stopTicker();
    const started = Date.now();
    ticker = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      if (seconds >= 3) statusLine.dataset.elapsed = ` · ${seconds} s`;
    }, 1000);
  }
  function stopTicker() {
    clearInterval(ticker);
    ticker = null;
    delete statusLine.dataset.elapsed;
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  // Markdown-ish text from the server: ``` fences become <pre>, `spans` become <code>, the rest stays
  // text. Built from text nodes, so nothing in the text can become markup.
  function renderRich(node, text) {
    node.replaceChildren();
    const pieces = String(text ?? '').split(/```(?:[\w+-]*\n)?([\s\S]*?)```/);
    pieces.forEach((piece, index) => {
      if (index % 2 === 1) {
        node.append(el('pre', piece.replace(/\n$/, ''), 'code'));
        return;
      }
      piece.split(/`([^`\n]+)`/).forEach((part, inner) => {
        if (part === '') return;
        node.append(inner % 2 === 1 ? el('code', part) : document.createTextNode(part));
      });
    });
  }

  let fixedCode = '';

  function renderChoice(choice) {
    show('choice-box', Boolean(choice));
    const box = $('choice-options');
    box.replaceChildren();
    if (!choice) return;
    renderRich($('choice-question'), choice.question);
    renderRich($('choice-original'), choice.original ?? '');
    for (const option of choice.options) {
      const button = el('button');
      button.type = 'button';
      button.className = 'choice-option';
      button.dataset.test = option.test;
      renderRich(button, option.line);
      button.addEventListener('click', () => choose(option));
      box.append(button);
    }
  }

  // The chosen behaviour becomes a test: appended to the tests box (where the user sees it), then the
  // repair runs again and verifies the fix against it.
  function choose(option) {
    const tests = $('tests');
    const current = tests.value.replace(/\s+$/, '');
    tests.value = current === '' ? option.test + '\n' : current + '\n' + option.test + '\n';
    // each once, and only the latest few: the server takes up to 50 and keeps those still in the tests box
    if (!confirmed.includes(option.test)) confirmed.push(option.test);
    if (confirmed.length > 20) confirmed.splice(0, confirmed.length - 20);
    void submit(`🔁 Checking again with ${option.test} added to your tests…`);
  }

  async function copyFixed() {
    try {
      await navigator.clipboard.writeText(fixedCode);
      $('fixed-status').textContent = 'Copied.';
    } catch {
      // Clipboard access needs a secure context and permission; selecting the text is the fallback.
      $('fixed-box').querySelector('details').open = true;
      window.getSelection()?.selectAllChildren($('fixed-code'));
      $('fixed-status').textContent = 'Press Ctrl+C to copy the selected file.';
    }
  }

  function downloadFixed() {
    const url = URL.createObjectURL(new Blob([fixedCode], { type: 'text/x-python' }));
    const link = el('a');
    link.href = url;
    link.download = 'fixed.py';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function renderDiff(diff) {
    const pre = $('diff');
    pre.replaceChildren();
    for (const line of diff.replace(/\n$/, '').split('\n')) {
      let cls = 'ctx';
      if (line.startsWith('+++') || line.startsWith('---')) cls = 'file';
      else if (line.startsWith('@@')) cls = 'hunk';
      else if (line.startsWith('+')) cls = 'add';
      else if (line.startsWith('-')) cls = 'del';
      pre.append(el('span', line === '' ? ' ' : line, cls));
    }
  }

  function renderTests(rows) {
    const body = $('tests-table').querySelector('tbody');
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.append(el('td', row.name, 'name'));
      tr.append(el('td', MARK[row.before] ?? row.before, 'st-' + row.before));
      const after = row.after ?? undefined;
      tr.append(el('td', after ? (MARK[after] ?? after) : '–', after ? 'st-' + after : ''));
      tr.append(el('td', row.detail ?? '', 'detail'));
      body.append(tr);
    }
  }

  function renderAnswer(answer) {
    current = answer.voteToken ? { id: answer.requestId, token: answer.voteToken } : null;
    resultBox.hidden = false;
    resultBox.dataset.status = answer.status;
    renderRich($('headline'), answer.headline);
    const p = answer.passing;
    $('passing').textContent = p.total > 0 ? `${p.after}/${p.total} tests pass (${p.before}/${p.total} before)` : answer.summary;
    // Without a fix there is no rationale; the engine's summary is then the only sentence saying what
    // happened (which test failed and how), so it must not be lost behind the counts.
    const explain = p.total > 0 && !answer.rationale && answer.status !== 'nothing_to_fix';
    show('summary', explain);
    renderRich($('summary'), explain ? answer.summary : '');
    const facts = $('facts');
    facts.replaceChildren();
    for (const line of answer.facts ?? []) {
      const item = el('li');
      renderRich(item, line);
      facts.append(item);
    }
    show('facts', facts.childElementCount > 0);
    renderChoice(answer.choice);
    show('rationale-box', Boolean(answer.rationale));
    renderRich($('rationale'), answer.rationale ?? '');
    fixedCode = answer.fixedCode ?? '';
    show('fixed-box', Boolean(answer.fixedCode) && answer.status !== 'nothing_to_fix');
    $('fixed-code').textContent = fixedCode;
    $('fixed-status').textContent = '';
    show('stdout-box', Boolean(answer.stdout));
    $('stdout').textContent = answer.stdout ?? '';
    show('diff-box', Boolean(answer.diff));
    if (answer.diff) renderDiff(answer.diff);
    show('tests-box', answer.tests.length > 0);
    renderTests(answer.tests);
    show('trace-box', Boolean(answer.trace));
    if (answer.trace) {
      $('trace-test').textContent = answer.trace.testName + (answer.trace.truncated ? ' (truncated)' : '');
      $('trace').textContent = answer.trace.rendered;
    }
    show('feedback', current !== null);
    for (const id of ['vote-up', 'vote-down']) $(id).setAttribute('aria-pressed', 'false');
    $('feedback-status').textContent = '';
    // Keyboard and screen-reader users land on the answer instead of staying on the Fix button.
    $('headline').focus({ preventScroll: false });
    const c = answer.candidates;
    $('meta').textContent = `Tried ${c.tried} candidate fix${c.tried === 1 ? '' : 'es'} in ${(answer.totalMs / 1000).toFixed(1)} s · reference ${answer.requestId}`;
  }

  function clearAnswer() {
    resultBox.hidden = true;
    current = null;
  }

  // Reads the server's event stream (SSE framing over a POST response; EventSource cannot POST).
  async function readEvents(response, onEvent) {
    const parser = createParser({
      onEvent: (message) => {
        if (message.data) onEvent(message.event ?? 'message', JSON.parse(message.data));
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  }

  async function submit(firstLine) {
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    clearAnswer();
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus(typeof firstLine === 'string' ? firstLine : 'Sending…', 'busy');
    startTicker();
    let finished = false;
    try {
      const response = await fetch('/api/fix', {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          code: $('code').value,
          tests: $('tests').value,
          description: $('description').value,
          confirmedTests: confirmed,
        }),
        signal: controller.signal,
      });
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream')) {
        const body = await response.json().catch(() => ({}));
        if (inFlight === controller) setStatus(body.error ?? `The server answered ${response.status}.`, 'error');
        finished = true;
        return;
      }
      await readEvents(response, (event, data) => {
        if (inFlight !== controller) return; // replaced by a newer request: its events own the page now
        if (event === 'accepted') setStatus(typeof firstLine === 'string' ? firstLine : '⏳ Got it — running your code in a sandbox…', 'busy');
        else if (event === 'progress') setStatus(data.line, 'busy');
        else if (event === 'result') {
          finished = true;
          stopTicker();
          setStatus(`Finished in ${(data.totalMs / 1000).toFixed(1)} s.`, data.status === 'fixed' || data.status === 'nothing_to_fix' ? 'ok' : 'warn');
          renderAnswer(data);
        } else if (event === 'failure') {
          finished = true;
          stopTicker();
          setStatus(data.error, 'error');
        }
      });
      if (!finished && inFlight === controller) setStatus('The connection closed before an answer arrived; please try again.', 'error');
    } catch (error) {
      if (controller.signal.aborted) return;
      setStatus('Could not reach the tracefix server; is it still running?', 'error');
    } finally {
      // A request replaced by a newer one (Ctrl+Enter while busy) must not re-enable the form under it.
      if (inFlight === controller) {
        inFlight = null;
        stopTicker();
        button.disabled = false;
        form.removeAttribute('aria-busy');
      }
    }
  }

  async function vote(direction) {
    if (!current) return;
    const up = $('vote-up');
    const down = $('vote-down');
    const pressed = (direction === 'up' ? up : down).getAttribute('aria-pressed') === 'true';
    const value = pressed ? null : direction; // pressing the same button again withdraws the vote
    try {
      const response = await fetch('/api/feedback', {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ id: current.id, vote: value, token: current.token }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        $('feedback-status').textContent = body.error ?? 'Your vote could not be saved.';
        return;
      }
      up.setAttribute('aria-pressed', String(value === 'up'));
      down.setAttribute('aria-pressed', String(value === 'down'));
      $('feedback-status').textContent = value === null ? 'Vote withdrawn.' : 'Thanks — your vote was recorded.';
    } catch {
      $('feedback-status').textContent = 'Could not reach the tracefix server.';
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  });
  $('copy-fixed').addEventListener('click', () => void copyFixed());
  $('download-fixed').addEventListener('click', downloadFixed);
  $('vote-up').addEventListener('click', () => void vote('up'));
  $('vote-down').addEventListener('click', () => void vote('down'));
})();
