import { z } from 'zod';
import { RouterError } from './errors.js';
import { murmur3Continue, murmur3Prefix, type Murmur3Prefix } from './hash.js';

/** Number of buckets a unit key is hashed into; weights are resolved to 1/10,000. */
export const BUCKETS = 10_000;

/** One variant of a split and its share of the traffic. */
export interface VariantWeight {
  /** The variant's name, e.g. `'production'` or `'candidate'`. */
  readonly name: string;
  /** Its relative weight (any non-negative number; shares are weight / sum of weights). */
  readonly weight: number;
}

/** Options of {@link createTrafficSplitter}. */
export interface TrafficSplitterOptions {
  /** The variants, in bucket order: the first owns the lowest buckets, the last the highest. */
  readonly variants: readonly VariantWeight[];
  /** The salt mixed into every key; a new salt reshuffles every unit. Default `''`. */
  readonly salt?: string;
  /** Variants that receive a mirrored copy of every request (shadow mode). Default none. */
  readonly shadow?: readonly string[];
  /** Random source in [0, 1) for requests without a unit key. Default `Math.random`. */
  readonly random?: () => number;
}

const optionsSchema = z
  .object({
    variants: z
      .array(
        z.object({
          name: z.string().min(1, 'a variant name must not be empty'),
          weight: z.number().finite().nonnegative(),
        }),
      )
      .min(1, 'at least one variant is needed')
      .max(255, 'at most 255 variants'),
    salt: z.string().optional(),
    shadow: z.array(z.string()).optional(),
    random: z.function().optional(),
  })
  .superRefine((o, ctx) => {
    const names = new Set<string>();
    for (const [i, v] of o.variants.entries()) {
      if (names.has(v.name))
        ctx.addIssue({ code: 'custom', path: ['variants', i, 'name'], message: `duplicate variant "${v.name}"` });
      names.add(v.name);
    }
    if (o.variants.reduce((s, v) => s + v.weight, 0) <= 0) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'the weights must not all be zero' });
    }
    for (const [i, s] of (o.shadow ?? []).entries()) {
      if (!names.has(s))
        ctx.addIssue({
          code: 'custom',
          path: ['shadow', i],
          message: `shadow variant "${s}" is not one of the variants`,
        });
    }
  });

/**
 * Assigns requests to variants.
 *
 * **The assignment of a unit key is a pure function of (salt, key, weights)**:
 * `bucket = murmur3_x86_32(utf8(salt + ":" + key), seed 0) mod 10000`, and the variant is the
 * one whose range of buckets holds it; ranges are laid out in the order of `variants`, the
 * first from bucket 0, each `round(cumulative weight / total × 10000)` wide. So with two
 * variants, a unit in either one stays there while that variant's weight grows (the ramp
 * property). The modulo bias of 2^32 mod 10000 is below 2·10⁻⁶ per bucket.
 */
export class TrafficSplitter {
  /** The variant names, in bucket order. */
  readonly names: readonly string[];
  /** The weights as resolved to shares of 1 (sum to 1). */
  readonly shares: readonly number[];
  /** The salt. */
  readonly salt: string;
  /** The variants that receive a mirrored copy of every request. */
  readonly shadow: readonly string[];
  readonly #table: Uint8Array;
  readonly #prefix: Murmur3Prefix;
  readonly #random: () => number;
  readonly #index: Map<string, number>;

  constructor(options: TrafficSplitterOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new RouterError('INVALID_OPTIONS', `invalid traffic splitter options: ${z.prettifyError(parsed.error)}`, {
        operation: 'createTrafficSplitter',
        cause: parsed.error,
      });
    }
    const variants = options.variants;
    const total = variants.reduce((s, v) => s + v.weight, 0);
    this.names = variants.map((v) => v.name);
    this.shares = variants.map((v) => v.weight / total);
    this.salt = options.salt ?? '';
    this.shadow = [...(options.shadow ?? [])];
    this.#random = options.random ?? Math.random;
    this.#prefix = murmur3Prefix(`${this.salt}:`);
    this.#index = new Map(this.names.map((n, i) => [n, i]));
    this.#table = new Uint8Array(BUCKETS);
    let cumulative = 0;
    let start = 0;
    for (let i = 0; i < variants.length; i++) {
      cumulative += variants[i]!.weight;
      const end = i === variants.length - 1 ? BUCKETS : Math.round((cumulative / total) * BUCKETS);
      this.#table.fill(i, start, end);
      start = Math.max(start, end);
    }
  }

  /** The bucket (0–9999) of a unit key under this splitter's salt. */
  bucket(unit: string): number {
    if (typeof unit !== 'string') throw badUnit(unit);
    return murmur3Continue(this.#prefix, unit) % BUCKETS;
  }

  /** The index (in {@link names}) of the variant owning `bucket`. */
  variantOfBucket(bucket: number): number {
    return this.#table[bucket]!;
  }

  /**
   * The index of the variant for a request: the `override` variant if given (a header value
   * or option), else the sticky variant of `unit`, else a random one.
   */
  assignIndex(unit?: string, override?: string): number {
    if (override !== undefined) return this.indexOf(override);
    if (unit !== undefined) {
      // A number would hash like an empty string and put every such unit in one variant.
      if (typeof unit !== 'string') throw badUnit(unit);
      return this.#table[murmur3Continue(this.#prefix, unit) % BUCKETS]!;
    }
    const b = Math.floor(this.#random() * BUCKETS);
    // biome-ignore lint/complexity/useMathMinMax: a NaN from `random` must clamp to the last bucket, which Math.min/max would not do
    return this.#table[b < BUCKETS ? (b >= 0 ? b : 0) : BUCKETS - 1]!;
  }

  /**
   * The variant name for a request (see {@link assignIndex}).
   *
   * @example
   * ```ts
   * splitter.assign('user-42'); // 'production' (always, for this salt and weights)
   * ```
   */
  assign(unit?: string, override?: string): string {
    return this.names[this.assignIndex(unit, override)]!;
  }

  /** The index of a variant by name; throws `RouterError('UNKNOWN_VARIANT')` if absent. */
  indexOf(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) {
      throw new RouterError(
        'UNKNOWN_VARIANT',
        `unknown variant "${name}": expected one of ${this.names.map((n) => `"${n}"`).join(', ')}`,
        {
          operation: 'TrafficSplitter.assign',
          details: { variant: name, expected: this.names },
        },
      );
    }
    return i;
  }

  /** True if `name` is one of the variants. */
  has(name: string): boolean {
    return this.#index.has(name);
  }

  /** A splitter with the same salt, order and shadows but new weights (by variant name). */
  withWeights(weights: Readonly<Record<string, number>>): TrafficSplitter {
    return new TrafficSplitter({
      variants: this.names.map((name) => ({ name, weight: weights[name] ?? 0 })),
      salt: this.salt,
      shadow: this.shadow,
      random: this.#random,
    });
  }
}

/**
 * Creates a {@link TrafficSplitter}; throws `RouterError('INVALID_OPTIONS')` naming the field.
 *
 * @example
 * ```ts
 * const split = createTrafficSplitter({
 *   variants: [{ name: 'production', weight: 80 }, { name: 'candidate', weight: 20 }],
 *   salt: 'house-prices-2026-11',
 * });
 * split.assign('user-42'); // the same answer in every process, every time
 * ```
 */
export function createTrafficSplitter(options: TrafficSplitterOptions): TrafficSplitter {
  return new TrafficSplitter(options);
}

/** The error for a unit key that is not a string. */
function badUnit(unit: unknown): RouterError {
  return new RouterError(
    'INVALID_OPTIONS',
    `unit: expected a string key (user, session…) or undefined, received ${unit === null ? 'null' : typeof unit}`,
    {
      operation: 'TrafficSplitter.assign',
      details: { field: 'unit' },
    },
  );
}
