// The tracefix web chat. Plain script, no framework: everything the server sends is data and goes into
// the page through textContent (never innerHTML), so user code can never become markup.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('fix-form');
  const button = $('fix');
  const statusLine = $('status');
  const resultBox = $('result');
  let current = null; // { id, token } of the answer on screen
  let inFlight = null; // AbortController of the running request

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
    $('headline').textContent = answer.headline;
    const p = answer.passing;
    $('passing').textContent = p.total > 0 ? `${p.after}/${p.total} tests pass (${p.before}/${p.total} before)` : answer.summary;
    // Without a fix there is no rationale; the engine's summary is then the only sentence saying what
    // happened (which test failed and how), so it must not be lost behind the counts.
    const explain = p.total > 0 && !answer.rationale && answer.status !== 'nothing_to_fix';
    show('summary', explain);
    $('summary').textContent = explain ? answer.summary : '';
    show('rationale-box', Boolean(answer.rationale));
    $('rationale').textContent = answer.rationale ?? '';
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
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(event, JSON.parse(data));
      }
    }
  }

  async function submit() {
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    clearAnswer();
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    setStatus('Sending…', 'busy');
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
        if (event === 'accepted') setStatus('⏳ Got it — running your code in a sandbox…', 'busy');
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
  $('vote-up').addEventListener('click', () => void vote('up'));
  $('vote-down').addEventListener('click', () => void vote('down'));
})();
