/**
 * `speed-layer alerts export --prometheus [--alerts FILE]`: the alert rules that map to the processor's
 * metrics as Prometheus alerting rules (YAML on stdout); stderr says which rules do not map and why.
 * Without --alerts, the LMS example deploy/alerts/lms-alerts.yaml. docs/alerts.md "Export".
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { failRun } from './cli-errors.ts';

export const EXAMPLE_RULES = fileURLToPath(new URL('../../deploy/alerts/lms-alerts.yaml', import.meta.url));

interface ExportFlags {
  prometheus?: boolean;
  alerts?: string;
}

function exportCommand(): Command {
  const command = new Command('export')
    .description('Write Prometheus alerting rules for the alert rules that map to the metrics')
    .option('--prometheus', 'as a Prometheus rule file (YAML on stdout)')
    .option('--alerts <file>', 'the alert rules (YAML or JSON)', EXAMPLE_RULES)
    .showHelpAfterError()
    .action(async (flags: ExportFlags) => {
      if (flags.prometheus !== true) command.error('error: choose the format: --prometheus');
      try {
        const { readAlertRules } = await import('../alerts/alert-rules.ts');
        const { prometheusRules } = await import('../alerts/prometheus-rules.ts');
        const result = prometheusRules(await readAlertRules(flags.alerts!));
        process.stdout.write(result.yaml);
        process.stderr.write(
          `alerts export: ${result.exported.length} rule(s) exported: ${result.exported.join(', ') || 'none'}\n`,
        );
        for (const { rule, reason } of result.notExported)
          process.stderr.write(`alerts export: not exported: ${rule}: ${reason}\n`);
      } catch (error) {
        failRun(command.parent ?? command, error);
      }
    });
  return command;
}

export function alertsCommand(): Command {
  return new Command('alerts')
    .description('Alert rules of `serve --alerts` (docs/alerts.md): export them for Prometheus')
    .addCommand(exportCommand());
}
