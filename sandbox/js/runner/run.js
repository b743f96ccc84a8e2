// Entry point of the JavaScript runner process (started by sandbox/js/index.ts inside the jail):
// one RunnerRequest as JSON on stdin, protocol lines on stdout, exit. User code never runs in this
// realm: it runs in QuickJS (execute.js), so it cannot reach `process`, `require` or this stdout.
import { writeSync } from 'node:fs';
import { serve } from './service.js';

function out(message) {
  writeSync(1, JSON.stringify(message) + '\n');
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  let request;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    out({ type: 'fatal', error: { type: 'BadRequest', message: `the request is not JSON: ${e.message}`, where: 'runner' } });
    out({ type: 'done' });
    process.exit(0);
  }
  serve(request, out).then(
    () => process.exit(0),
    (e) => {
      out({ type: 'fatal', error: { type: 'RunnerError', message: String(e?.message ?? e).slice(0, 2000), where: 'runner' } });
      out({ type: 'done' });
      process.exit(0);
    },
  );
});
