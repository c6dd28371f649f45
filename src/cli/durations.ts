/** The shared parsers as commander option parsers: a bad value becomes commander's usage error. */
import { InvalidArgumentError } from 'commander';
import * as parse from '../shared/durations.ts';

function optionParser<T>(parser: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parser(text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

export const parseDurationMs = optionParser(parse.parseDurationMs);
export const parsePositiveInt = optionParser(parse.parsePositiveInt);
export const parseFraction = optionParser(parse.parseFraction);
