/** `tracefix forget --platform slack --user U123`: deletes a user's records and votes (a privacy request). */
import { parseArgs } from 'node:util';
import { TracefixError } from '../../errors.ts';
import type { Platform } from '../../repair/types.ts';
import { EXIT, type CliCommand } from '../context.ts';

const PLATFORMS: readonly Platform[] = ['slack', 'discord', 'web', 'cli', 'eval'];

export const command: CliCommand = {
  summary: "Delete a user's stored requests and votes",
  usage: 'tracefix forget --platform slack|discord|web --user USER_ID',
  async run(argv, context) {
    const { values } = parseArgs({ args: argv, options: { platform: { type: 'string' }, user: { type: 'string' } } });
    const platform = values.platform as Platform | undefined;
    if (!platform || !PLATFORMS.includes(platform)) throw new TracefixError('bad_input', `--platform must be one of ${PLATFORMS.join(', ')}.`);
    if (!values.user) throw new TracefixError('bad_input', '--user is required: the platform user id (e.g. U123ABC on Slack).');
    const store = await context.services().store();
    const changed = await store.deleteUser(platform, values.user);
    context.out.write(`Deleted or updated ${changed} record(s) of ${platform} user ${values.user}.\n`);
    return EXIT.ok;
  },
};
