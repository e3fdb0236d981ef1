/** Test helpers shared by the packages' test suites (not published). */
import { expect } from 'vitest';
import { isModelshipError } from '@modelship/core';

/** Asserts that `f` throws a modelship error of class `name` (and `code`, if given) whose message matches. */
export function expectError(f: () => unknown, name: string, message: RegExp, code?: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(isModelshipError(thrown, name, code), String(thrown)).toBe(true);
  expect((thrown as Error).message).toMatch(message);
}

/** Asserts a `ValidationError` with code `INVALID_INPUT` whose message matches. */
export function expectInvalid(f: () => unknown, message: RegExp): void {
  expectError(f, 'ValidationError', message, 'INVALID_INPUT');
}
