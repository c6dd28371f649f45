import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { watchParent } from '../../src/processor/runtime/parent-watch.ts';

describe('watching the parent process', () => {
  it('calls back once when the parent changes, not before', async () => {
    let parent = 100;
    const gone: number[] = [];
    const stop = watchParent((former) => gone.push(former), { parentPid: () => parent, pollMs: 5 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(gone).toEqual([]);
    parent = 1; // re-parented to init
    while (gone.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    parent = 2;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(gone).toEqual([100]);
    stop();
  });

  it('lets a real child exit when its parent is killed', { timeout: 120_000 }, async () => {
    // parent → child; the child watches its parent and exits 0 when it goes. Kill the parent with SIGKILL.
    const child = `
      const { watchParent } = await import(${JSON.stringify(new URL('../../src/processor/runtime/parent-watch.ts', import.meta.url).href)});
      watchParent(() => { console.log('parent gone'); process.exit(0); }, { pollMs: 50 });
      console.log('watching ' + process.pid);
      setInterval(() => undefined, 1000);
    `;
    const parentScript = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ${JSON.stringify(child)}], { stdio: ['ignore', 'inherit', 'inherit'] });
      setInterval(() => undefined, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    parent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (!output.includes('watching')) await new Promise((resolve) => setTimeout(resolve, 50));
    const childPid = Number(/watching (\d+)/.exec(output)![1]);
    parent.kill('SIGKILL');
    // The child's stdout was the parent's pipe, now without a reader: look at the process itself.
    const alive = (): boolean => {
      try {
        // A zombie (exited, not reaped yet by whoever adopted it) counts as gone.
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${childPid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    while (alive()) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });
});
