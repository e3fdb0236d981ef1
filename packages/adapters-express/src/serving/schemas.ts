/** The zod schemas of the serving API: what the routes validate and what the OpenAPI document shows. */
import { z } from 'zod';

/** One input row: the model's input columns (see `GET /models/{name}` for its schema). */
export const rowSchema = z
  .record(z.string(), z.unknown())
  .meta({ id: 'Row', description: "One input row: the columns of the model's input schema (GET /models/{name})." });

/** The enveloped body of `POST /predict` and `POST /predict/batch`. */
export const predictEnvelopeSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'The model (default: the only or default model).' }),
    row: rowSchema.optional(),
    rows: z.array(rowSchema).min(1).optional(),
    unit: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta({ description: 'The unit key for sticky assignment (or header x-unit-key).' }),
    units: z.array(z.string().min(1).max(256).nullable()).optional(),
    variant: z
      .enum(['production', 'candidate'])
      .optional()
      .meta({ description: 'Forces a variant (or header x-modelship-variant).' }),
    explain: z.boolean().optional().meta({
      description:
        'Asks for an explanation: exact TreeSHAP (gbdt, forest) or linear SHAP (logistic) per input column; a note for the kinds that cannot explain.',
    }),
  })
  .meta({ id: 'PredictEnvelope' });

/** The body of `POST /predict`: a bare row, or an envelope with `row` or `rows`. */
export const predictRequestSchema = z.union([predictEnvelopeSchema, rowSchema]).meta({ id: 'PredictRequest' });

/** A prediction's value: a number (regression) or a class label. */
const valueSchema = z.union([z.number(), z.string()]);

/** One output of an explanation: expected value plus per-column contributions add up to `output`. */
const explanationOutputSchema = z.object({
  name: z.string().meta({ description: "'value' (regression) or the class label this output scores." }),
  expectedValue: z.number(),
  output: z.number().meta({ description: 'The raw output explained (in the explanation space).' }),
  columns: z.record(z.string(), z.number()).meta({ description: 'Contributions by input column.' }),
  features: z.record(z.string(), z.number()).meta({ description: 'Non-zero contributions by encoded feature.' }),
});

/** The explanation of a prediction, or the note given in its place. */
export const explanationSchema = z
  .union([
    z
      .object({
        available: z.literal(true),
        method: z.enum(['tree-shap', 'linear-shap']),
        space: z.enum(['value', 'log-odds', 'margin', 'probability']),
        outputs: z.array(explanationOutputSchema),
      })
      .meta({ id: 'Explanation' }),
    z.object({ available: z.literal(false), note: z.string() }).meta({ id: 'ExplanationUnavailable' }),
  ])
  .meta({ id: 'PredictionExplanation' });

/** One answered row. */
export const predictionSchema = z
  .object({
    prediction: valueSchema,
    probabilities: z.record(z.string(), z.number()).optional(),
    variant: z.string(),
    version: z.int().min(1),
    requestId: z.string().meta({ description: 'The signed id to send feedback with (POST /feedback).' }),
    latencyMs: z.number().min(0),
    fallback: z.object({ from: z.string(), fromVersion: z.int(), reason: z.string() }).optional(),
    explanation: explanationSchema.optional(),
  })
  .meta({ id: 'Prediction' });

/** The answer of `POST /predict` for one row. */
export const predictResponseSchema = predictionSchema
  .extend({ model: z.string(), revision: z.int().min(0) })
  .meta({ id: 'PredictResponse' });

/** The answer for many rows. */
export const batchResponseSchema = z
  .object({ model: z.string(), revision: z.int().min(0), predictions: z.array(predictionSchema) })
  .meta({ id: 'BatchPredictResponse' });

/** The body of `POST /feedback`. */
export const feedbackRequestSchema = z
  .strictObject({
    requestId: z.string().min(1).max(1024),
    model: z.string().min(1).max(200).optional(),
    rating: z.number().min(1).max(5).optional(),
    correct: z.boolean().optional(),
    actual: z.union([z.number(), z.string().min(1).max(256)]).optional(),
  })
  .meta({ id: 'FeedbackRequest' });

/** The answer of `POST /feedback`. */
export const feedbackResponseSchema = z
  .object({ recorded: z.literal(true), model: z.string(), variant: z.string(), version: z.int() })
  .meta({ id: 'FeedbackResponse' });

/** `GET /health`. */
export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

/** The readiness of one model. */
const modelReadinessSchema = z.object({
  ready: z.boolean(),
  revision: z.int().optional(),
  production: z.int().optional(),
  candidate: z.int().optional(),
});

/** `GET /ready` when ready. */
export const readySchema = z
  .object({ status: z.literal('ready'), models: z.record(z.string(), modelReadinessSchema) })
  .meta({ id: 'Ready' });

/** One column of an input schema. */
const columnSchema = z
  .object({
    type: z.enum(['numeric', 'categorical']),
    role: z.enum(['feature', 'target', 'id']).optional(),
    required: z.boolean().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    categories: z.array(z.string()).optional(),
  })
  .meta({ id: 'ColumnSpec' });

/** `GET /models/{name}`. */
export const modelInfoSchema = z
  .object({
    name: z.string(),
    version: z.int().meta({ description: 'The production version.' }),
    task: z.enum(['regression', 'classification']),
    target: z.string(),
    classes: z.array(z.string()).optional(),
    schema: z.object({ columns: z.record(z.string(), columnSchema) }),
    inputColumns: z.array(z.string()),
    metrics: z.record(z.string(), z.number().nullable()),
    lineage: z.object({
      fingerprint: z.string(),
      dataset: z.unknown(),
      createdAt: z.string(),
      learner: z.string(),
      params: z.unknown(),
      sha256: z.string(),
      registeredAt: z.number(),
    }),
    rollout: z.object({
      production: z.int(),
      candidate: z.int().optional(),
      weights: z.object({ production: z.number(), candidate: z.number().optional() }),
      mode: z.enum(['split', 'shadow', 'ramp']),
      revision: z.int(),
      updatedAt: z.number().optional(),
    }),
  })
  .meta({ id: 'ModelInfo' });

/** `GET /metrics.json`: per-variant outcome aggregates per model (`null` without an outcome store). */
export const aggregatesSchema = z
  .object({ models: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()) })
  .meta({ id: 'Aggregates' });

/** A V2 tensor in JSON. */
const v2TensorSchema = z.object({
  name: z.string(),
  shape: z.array(z.int().min(0)),
  datatype: z.string(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  data: z.array(z.unknown()).optional(),
});

/** The JSON part of an Open Inference Protocol V2 inference request. */
export const v2InferRequestSchema = z
  .object({
    id: z.string().max(256).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    inputs: z.array(v2TensorSchema).min(1).max(1024),
    outputs: z
      .array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
      .max(16)
      .optional(),
  })
  .meta({ id: 'V2InferRequest' });

/** The JSON part of a V2 inference response. */
export const v2InferResponseSchema = z
  .object({
    model_name: z.string(),
    model_version: z.string(),
    id: z.string().optional(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    outputs: z.array(v2TensorSchema),
  })
  .meta({ id: 'V2InferResponse' });

/** V2 server metadata. */
export const v2ServerSchema = z
  .object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })
  .meta({ id: 'V2ServerMetadata' });

/** V2 model metadata. */
const v2TensorMetaSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()) });
/** V2 model metadata. */
export const v2ModelSchema = z
  .object({
    name: z.string(),
    versions: z.array(z.string()),
    platform: z.string(),
    inputs: z.array(v2TensorMetaSchema),
    outputs: z.array(v2TensorMetaSchema),
  })
  .meta({ id: 'V2ModelMetadata' });

/** V2 liveness / readiness. */
export const v2LiveSchema = z.object({ live: z.boolean() }).meta({ id: 'V2Live' });
/** V2 readiness. */
export const v2ReadySchema = z.object({ ready: z.boolean() }).meta({ id: 'V2Ready' });
/** V2 model readiness. */
export const v2ModelReadySchema = z.object({ name: z.string(), ready: z.boolean() }).meta({ id: 'V2ModelReady' });

/** The MLflow scoring answer. */
export const mlflowResponseSchema = z
  .object({ predictions: z.array(z.union([z.number(), z.string()])) })
  .meta({ id: 'MlflowPredictions' });

/** The MLflow scoring request (one of the four forms). */
export const mlflowRequestSchema = z
  .union([
    z.object({
      dataframe_split: z.object({
        columns: z.array(z.string()),
        data: z.array(z.array(z.unknown())),
        index: z.array(z.unknown()).optional(),
      }),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
    z.object({ dataframe_records: z.array(rowSchema), params: z.record(z.string(), z.unknown()).optional() }),
    z.object({
      instances: z.union([z.array(z.unknown()), z.record(z.string(), z.array(z.unknown()))]),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
    z.object({
      inputs: z.union([z.array(z.unknown()), z.record(z.string(), z.array(z.unknown()))]),
      params: z.record(z.string(), z.unknown()).optional(),
    }),
  ])
  .meta({ id: 'MlflowRequest' });

/** Path parameter `name`. */
export const nameParams = z.object({ name: z.string().min(1).max(200) });
/** Path parameters `name` and `version`. */
export const nameVersionParams = z.object({
  name: z.string().min(1).max(200),
  version: z.string().regex(/^[1-9][0-9]{0,9}$/),
});
