/** Training progress on stderr: a redrawn bar on a terminal, plain lines otherwise. */
import type { TrainingProgress } from '@modelship/controller';
import type { CliWritable } from './io.js';

/** Reports progress and log lines of one training run. */
export interface ProgressReporter {
  /** A progress report. */
  update(p: TrainingProgress): void;
  /** One log line. */
  log(line: string): void;
  /** Ends the bar (a final newline on a terminal). */
  done(): void;
}

const WIDTH = 30;

/** A bar on a TTY (`\r` redraws, log lines above it), else a line per 10 % step and every log line. */
export function createProgress(stream: CliWritable): ProgressReporter {
  const tty = stream.isTTY === true;
  let last = -1;
  let shown = '';
  let drawn = false;
  const label = (p: TrainingProgress) => [p.variant && `variant ${p.variant}`, p.message].filter(Boolean).join(': ');
  const draw = (p: TrainingProgress) => {
    const f = Math.min(1, Math.max(0, p.fraction));
    const full = Math.round(f * WIDTH);
    const text = `[${'#'.repeat(full)}${'-'.repeat(WIDTH - full)}] ${String(Math.round(f * 100)).padStart(3)}% ${label(p)}`;
    stream.write(`\r${text.padEnd(shown.length)}`);
    shown = text;
    drawn = true;
  };
  let current: TrainingProgress = { fraction: 0 };
  return {
    update(p) {
      current = p;
      if (tty) return draw(p);
      const step = Math.floor(Math.min(1, Math.max(0, p.fraction)) * 10);
      if (step === last) return;
      last = step;
      const l = label(p);
      stream.write(`progress ${step * 10}%${l ? ` (${l})` : ''}\n`);
    },
    log(line) {
      if (tty && drawn) {
        stream.write(`\r${' '.repeat(shown.length)}\r${line}\n`);
        draw(current);
      } else stream.write(`${line}\n`);
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
