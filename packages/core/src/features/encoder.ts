/** The contract of a fitted feature step: its state as data and the encoder that applies it. */
import type { TableView } from './columns.js';

/** Fitted state of one feature step, as plain JSON data. */
export type StepState =
  | {
      /** A numeric step. */
      readonly type: 'numeric';
      /** Fill value for missing values, or `null` when none is configured. */
      readonly impute: number | null;
      /** Training mean subtracted when standardizing (0 otherwise). */
      readonly mean: number;
      /** Training std divided by when standardizing (1 otherwise). */
      readonly scale: number;
    }
  | {
      /** A one-hot step or a one-hot cross. */
      readonly type: 'levels';
      /** Kept levels, sorted (the dropped level included). */
      readonly levels: readonly string[];
      /** Training values rarer than `minFrequency`, mapped to the other level. */
      readonly rare: readonly string[];
      /** The level that rare (and, by default, unseen) values go to, or `null`. */
      readonly otherLevel: string | null;
      /** Fill value for missing values, or `null`. */
      readonly fill: string | null;
    }
  | {
      /** A hashing step or a hashed cross (nothing fitted). */
      readonly type: 'hash';
    };

/** A fitted feature step: writes its `width` output columns for a table or a single row. */
export interface Encoder {
  /** Number of output columns. */
  readonly width: number;
  /** Output feature names. */
  readonly names: readonly string[];
  /** The fitted state. */
  readonly state: StepState;
  /** Writes rows of `view` into a zeroed row-major matrix at column `offset`. */
  fillTable(view: TableView, out: Float64Array, stride: number, offset: number): void;
  /** Writes one row at `offset` of `out` (overwriting its columns). */
  fillRow(row: Record<string, unknown>, derived: Float64Array, out: Float64Array, offset: number): void;
}
