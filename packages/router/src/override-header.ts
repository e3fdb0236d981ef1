/** The request header whose value forces a variant (e.g. `x-modelship-variant: candidate`). */
export const VARIANT_HEADER = 'x-modelship-variant';

/**
 * The variant forced by a request's headers (Node's lower-cased `IncomingHttpHeaders`), or
 * `undefined` when the header is absent or empty; pass it as `predict(input, { override })`.
 *
 * @example
 * ```ts
 * const unit = req.get('x-user-id');
 * const override = variantOverride(req.headers);
 * router.predict(req.body, { ...(unit ? { unit } : {}), ...(override ? { override } : {}) });
 * ```
 */
export function variantOverride(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  header: string = VARIANT_HEADER,
): string | undefined {
  const raw = headers[header.toLowerCase()];
  const value = (Array.isArray(raw) ? raw[0] : raw) as string | undefined;
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
