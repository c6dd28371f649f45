import { describe, expect, it } from 'vitest';
import { loadCommand } from '../../src/cli/load-command.ts';
import { resolveLoadParams, type LoadFlags } from '../../src/load/load-params.ts';

async function paramsOf(args: string[]) {
  const command = loadCommand().action(() => undefined); // parse only: no load run
  await command.parseAsync(args, { from: 'user' });
  return resolveLoadParams(command.opts<LoadFlags>());
}

describe('load command flags', () => {
  it('puts the serve side apart from the jobs only when asked', async () => {
    expect(await paramsOf(['--scenarios', 'sustained', '--sse', '5', '--serve-apart'])).toMatchObject({
      scenarios: ['sustained'],
      sseSubscribers: 5,
      serveApart: true,
    });
    expect(await paramsOf(['--sse', '5'])).toMatchObject({ sseSubscribers: 5, serveApart: false });
  });

  it('runs the jobs as a process each, with serve apart, only when asked', async () => {
    expect(await paramsOf(['--job-processes'])).toMatchObject({ jobProcesses: true, serveApart: true });
    expect(await paramsOf(['--serve-apart'])).toMatchObject({ jobProcesses: false, serveApart: true });
  });
});
