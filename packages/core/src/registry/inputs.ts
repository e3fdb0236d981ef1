import { z } from 'zod';

/**
 * The zod schemas of the registry's smaller call arguments (internal): each public method
 * parses its arguments with one of these before touching the store, so a bad argument fails
 * with `ValidationError('INVALID_INPUT')` naming the field and writes nothing.
 */

/** A time: epoch milliseconds (finite) or a valid Date. */
export const timeSchema = z.union([
  z.number().refine(Number.isFinite, 'expected finite epoch milliseconds'),
  z.date().refine((d) => Number.isFinite(d.getTime()), 'expected a valid Date'),
]);

/** A version reference: a positive integer, a numeric string or an alias name (checked later). */
export const versionRefSchema = z.union([z.number(), z.string()], 'expected a version number or an alias name');

/** The alias list of `resolve`. */
export const aliasListSchema = z.array(z.string(), 'expected an array of alias names');

/** The options of `resolve`. */
export const resolveOptionsSchema = z.object({ fallback: z.string().min(1).max(4096).optional() }).strict();

/** A tag patch of `tagModel`: a string sets a tag, `null` removes it. */
export const tagPatchSchema = z.record(z.string().min(1).max(128), z.string().max(1024).nullable());

const tagFilter = z.record(z.string().min(1), z.union([z.string(), z.literal(true)]));
const bound = z
  .number()
  .refine((n) => !Number.isNaN(n), 'expected a number')
  .optional();

/** A `searchVersions` query. */
export const versionQuerySchema = z
  .object({
    name: z.string().optional(),
    tags: tagFilter.optional(),
    metrics: z
      .array(z.object({ name: z.string().min(1), gte: bound, gt: bound, lte: bound, lt: bound }).strict())
      .optional(),
    createdAfter: timeSchema.optional(),
    createdBefore: timeSchema.optional(),
    dataset: z.object({ name: z.string(), version: z.number().int().positive() }).strict().optional(),
  })
  .strict();

/** A `searchModels` query. */
export const modelQuerySchema = z.object({ tags: tagFilter.optional() }).strict();
