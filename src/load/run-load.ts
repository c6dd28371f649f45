/**
 * `speed-layer load`: one stack for the whole run (startStack: external services named by the
 * environment, local JVMs otherwise), the chosen scenarios one after the other, a final summary table,
 * and the verdict: false when a result is wrong, or (full runs) a throughput target is missed.
 */
import { startStack } from '../stack/stack.ts';
import { catchUpScenario } from './catch-up.ts';
import { ceilingScenario } from './ceiling.ts';
import { httpScenario } from './http.ts';
import type { Check, LoadContext, ScenarioResult } from './load-context.ts';
import type { LoadParams, ScenarioName } from './load-params.ts';
import { loadAverage, machineInfo } from './machine.ts';
import { printTable, writeResults } from './report.ts';
import { scaleOutScenario } from './scale-out.ts';
import { servingScenario } from './serving.ts';
import { sustainedScenario } from './sustained.ts';

/**
 * Sustained first: it measures latency, and this one process would otherwise carry into it what the
 * catch-up runs leave (it started at 1.7 GB RSS after catch-up — oracle results, engine state — and had
 * processing p99 6.8–11.5 s vs 2.4–2.8 s on its own, same machine, same hour; GC pauses are the likely cause). Catch-up before ceiling,
 * which reuses its backlog.
 */
const RUN_ORDER: readonly ScenarioName[] = [
  'sustained',
  'catch-up',
  'ceiling',
  'http',
  'scale-out',
  'serving',
];

const RUNNERS: Record<ScenarioName, (context: LoadContext) => Promise<ScenarioResult>> = {
  'catch-up': catchUpScenario,
  ceiling: ceilingScenario,
  sustained: sustainedScenario,
  http: httpScenario,
  'scale-out': scaleOutScenario,
  serving: servingScenario,
};

/** Runs the load benchmark; resolves true when every check that counts passed. */
export async function runLoad(params: LoadParams): Promise<boolean> {
  const machine = machineInfo();
  const scenarios = RUN_ORDER.filter((name) => params.scenarios.includes(name));
  process.stderr.write(
    `load: ${params.quick ? 'quick' : 'full'} run, scenarios ${scenarios.join(', ')}; ` +
      `${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, load average ${loadAverage().join(' ')}\n`,
  );
  const startedMs = performance.now();
  const stack = await startStack();
  const context: LoadContext = { params, endpoints: stack.endpoints, stackPids: stack.pids };
  const checks: Check[] = [];
  const files: string[] = [];
  try {
    for (const scenario of scenarios) {
      const loadBefore = loadAverage();
      try {
        const result = await RUNNERS[scenario](context);
        checks.push(...result.checks);
        files.push(result.resultsFile);
      } catch (error) {
        process.stderr.write(
          `load: scenario ${scenario} failed: ${(error as Error).stack ?? String(error)}\n`,
        );
        checks.push({
          scenario,
          what: 'ran to the end',
          value: (error as Error).message,
          kind: 'correctness',
          pass: false,
        });
      }
      checks.push({
        scenario,
        what: 'load average before / after (1 min)',
        value: `${loadBefore[0]} / ${loadAverage()[0]}`,
        kind: 'info',
        pass: true,
      });
    }
  } finally {
    await stack.stop();
  }
  const counts = (check: Check) => check.kind === 'correctness' || (check.kind === 'target' && !params.quick);
  const passed = checks.every((check) => check.pass || !counts(check));
  const verdict = (check: Check) => (check.pass ? 'ok' : counts(check) ? 'FAIL' : 'miss (not asserted)');
  printTable(
    `Summary — ${params.quick ? 'quick (throughput not asserted)' : 'full'} run, ${Math.round((performance.now() - startedMs) / 1000)} s`,
    ['scenario', 'check', 'value', 'kind', 'verdict'],
    checks.map((check) => [
      check.scenario,
      check.what,
      check.value,
      check.kind,
      check.kind === 'info' ? '' : verdict(check),
    ]),
  );
  const summaryFile = await writeResults(params, 'summary', { passed, checks, files, stack: stack.modes });
  process.stdout.write(
    `\nresults: ${[...files, summaryFile].join(', ')}\nload: ${passed ? 'PASSED' : 'FAILED'}\n`,
  );
  return passed;
}
