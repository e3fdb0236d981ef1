/** The zod schema of the evaluation options shared by {@link detectDrift} and the monitor. */
import { z } from 'zod';
import { DRIFT_TESTS } from './feature-tests.js';

const testName = z.enum(DRIFT_TESTS as unknown as [string, ...string[]]);
const testChoice = z.union([testName, z.object({ test: testName, threshold: z.number().finite().optional() })]);

/** Schema of `EvaluationOptions`. */
export const evaluationOptionsSchema = z.object({
  tests: z.record(z.string(), testChoice).optional(),
  predictionTest: testChoice.optional(),
  checks: z.array(testChoice).optional(),
  missingRate: z
    .union([
      z.literal(false),
      z.object({ minIncrease: z.number().min(0).max(1).optional(), alpha: z.number().gt(0).max(1).optional() }),
    ])
    .optional(),
  newCategories: z
    .union([
      z.literal(false),
      z.object({ minShare: z.number().min(0).max(1).optional(), alpha: z.number().gt(0).max(1).optional() }),
    ])
    .optional(),
  shareThreshold: z.number().gt(0).max(1).optional(),
  correction: z.enum(['none', 'bonferroni', 'benjamini-hochberg']).optional(),
  minSamples: z.number().int().min(1).optional(),
});
