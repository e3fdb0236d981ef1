/** zod schemas shared by every router's OpenAPI description: the problem document. */
import { z } from 'zod';
import type { ZodOpenApiResponseObject } from 'zod-openapi';

/** The zod schema of an RFC 9457 problem document (component `Problem`). */
export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'A URI naming the problem type.' }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().optional().meta({ description: 'The modelship error code, e.g. INVALID_INPUT.' }),
    field: z
      .string()
      .optional()
      .meta({ description: 'The field path of a validation error, e.g. rows[3].total_rooms.' }),
    expected: z.string().optional().meta({ description: 'What the field expected.' }),
    requestId: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document.' });

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or a field is invalid (the problem names the field and what was expected).',
  401: 'Not authenticated.',
  403: 'Not allowed.',
  404: 'No such resource.',
  405: 'The method is not allowed on this path.',
  409: 'Conflict with the current state.',
  410: 'Gone (an expired request id).',
  413: 'The body is larger than this route accepts.',
  415: 'The content type is not accepted here.',
  422: 'A business rule refused the input (the problem names the field).',
  429: 'Rate limited.',
  500: 'An internal error (logged with the request id).',
  503: 'Not ready (models loading) or shutting down.',
};

/** OpenAPI responses of the given statuses, each an `application/problem+json` {@link problemSchema}. */
export function problemResponses(...statuses: number[]): Record<string, ZodOpenApiResponseObject> {
  const out: Record<string, ZodOpenApiResponseObject> = {};
  for (const s of statuses)
    out[String(s)] = {
      description: PROBLEM_DESCRIPTIONS[s] ?? 'A problem.',
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  return out;
}
