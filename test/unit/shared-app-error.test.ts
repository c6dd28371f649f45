import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/storage/storage-error.ts';
import { RunnerError } from '../../src/processor/runner/runner-error.ts';
import { AppError, errorCode } from '../../src/shared/app-error.ts';
import { isStackError, StackError } from '../../src/stack/stack-error.ts';

describe('the one error base class', () => {
  it('gives storage, runner and stack errors a code, a cause and one polarity of retry', () => {
    const cause = new Error('socket hang up');
    const errors = [
      new StorageError('unavailable', 'put views/a: unavailable', { cause, retryable: true }),
      new RunnerError('offset_gap', 'job auth: lms.auth/0: retention gap'),
      new StackError('start_timeout', 'kafka did not answer', { retryable: true }),
    ];
    expect(errors.every((error) => error instanceof AppError)).toBe(true);
    expect(errors.map((error) => [error.name, error.code, error.retryable])).toEqual([
      ['StorageError', 'unavailable', true],
      ['RunnerError', 'offset_gap', false],
      ['StackError', 'start_timeout', true],
    ]);
    expect(errors[0]!.cause).toBe(cause);
    expect(errors[1]!.cause).toBeUndefined();
  });

  it('names a log code for anything thrown', () => {
    expect(errorCode(new RunnerError('view_missing', 'x'))).toBe('view_missing');
    expect(errorCode(new TypeError('x'))).toBe('TypeError');
    expect(errorCode({ type: 'KafkaJSNumberOfRetriesExceeded' })).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(errorCode(undefined)).toBe('unknown');
  });

  it('tells stack errors apart by code', () => {
    const error = new StackError('bad_env', 'bad stack environment');
    expect(isStackError(error, 'bad_env')).toBe(true);
    expect(isStackError(error, 'no_stack')).toBe(false);
    expect(isStackError(new RunnerError('offset_gap', 'x'))).toBe(false);
  });
});
