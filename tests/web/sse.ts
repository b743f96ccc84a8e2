/** Reads the web chat's event stream with the same parser the page uses (eventsource-parser). */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Reads SSE events until `stop` says so (or the stream ends); returns them in order. */
export async function readEvents(response: Response, stop: (event: EventSourceMessage) => boolean = () => false): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  let done = false;
  const parser = createParser({
    onEvent: (event) => {
      if (done) return;
      events.push(event);
      if (stop(event)) done = true;
    },
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) return events;
  while (!done) {
    const chunk = await reader.read();
    if (chunk.done) break;
    parser.feed(chunk.value);
  }
  if (done) await reader.cancel();
  return events;
}
