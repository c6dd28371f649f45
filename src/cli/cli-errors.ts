/**
 * How the CLI reports a failure at run time (a missing input file, an unreachable broker, a bad setting):
 * one line on stderr naming the command, exit 1, no usage text and no stack trace. Usage errors (an
 * unknown flag, a bad flag value) stay with commander, which prints the usage after them.
 */
import type { Command } from 'commander';

/**
 * A readable message for anything thrown; file-system errors name the path instead of the syscall, and a
 * package a production install (`npm ci --omit=dev`) leaves out is named with how to install it.
 */
export function describeError(error: unknown): string {
  const { code, path, message } = (error ?? {}) as { code?: unknown; path?: unknown; message?: unknown };
  const missing = code === 'ERR_MODULE_NOT_FOUND' ? missingPackage(message) : undefined;
  if (missing !== undefined)
    return `needs the package ${missing}, which is not installed (a production install, npm ci --omit=dev, leaves out the dev tools): install it with \`npm ci\``;
  if (typeof code === 'string' && typeof path === 'string') {
    const why: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory, not a file',
      ENOTDIR: 'a part of the path is not a directory',
    };
    if (why[code] !== undefined) return `${path}: ${why[code]}`;
  }
  return typeof message === 'string' && message !== '' ? message : String(error);
}

/** The package of Node's "Cannot find package 'x' imported from ..." (a missing file is not one). */
function missingPackage(message: unknown): string | undefined {
  return typeof message === 'string' ? /^Cannot find package '([^']+)'/.exec(message)?.[1] : undefined;
}

/** The one line a failed command prints, e.g. `speed-layer replay: /in.ndjson: no such file or directory`. */
export function failureLine(commandName: string | undefined, error: unknown): string {
  const prefix = commandName === undefined ? 'speed-layer' : `speed-layer ${commandName}`;
  const message = describeError(error);
  // Messages that already start with the command's name (`query: ...`) keep one prefix.
  const bare =
    commandName !== undefined && message.startsWith(`${commandName}: `)
      ? message.slice(commandName.length + 2)
      : message;
  return `${prefix}: ${bare}`;
}

/** Ends the process after a run-time failure of `command`. */
export function failRun(command: Command, error: unknown): never {
  process.stderr.write(`${failureLine(command.name(), error)}\n`);
  process.exit(1);
}
