import type { AliasHistoryEntry } from './records.js';

/**
 * The target an alias had at `time` (epoch ms) according to its history: the `to` of the last
 * entry at or before `time`; `undefined` when the alias did not exist yet or was deleted then.
 */
export function targetAt(history: readonly AliasHistoryEntry[], time: number): number | undefined {
  let target: number | null = null;
  for (const e of history) {
    if (e.at > time) break;
    target = e.to;
  }
  return target ?? undefined;
}

/**
 * The stack of effective targets: every `set` or `delete` pushes its target, every `rollback`
 * pops the top. The top is the current target; the element below it is where a rollback goes.
 * So after 1 → 2 → 3, a rollback goes to 2, and a second rollback to 1.
 */
export function effectiveStack(history: readonly AliasHistoryEntry[]): Array<number | null> {
  const stack: Array<number | null> = [];
  for (const e of history) {
    if (e.action === 'rollback') stack.pop();
    else stack.push(e.to);
  }
  return stack;
}

/** Where `rollback` would move the alias, or `undefined` when there is no previous target. */
export function rollbackTarget(history: readonly AliasHistoryEntry[]): number | null | undefined {
  const stack = effectiveStack(history);
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
}
