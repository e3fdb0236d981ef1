/** Checks response bodies against the OpenAPI document's response schemas (ajv 2020 + ajv-formats). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export function responseChecker(doc: Record<string, unknown>) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  ajv.addSchema({ $id: 'doc', components: doc.components ?? {} } as never);
  const paths = doc.paths as Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
  const fix = (s: unknown): unknown => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"doc#/components/'));
  const templates = Object.keys(paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    check(method: string, path: string, status: number, contentType: string, body: unknown): void {
      const t = templates.find((x) => x.re.test(path));
      if ((!t || !paths[t.p]![method.toLowerCase()]) && (status === 404 || status === 405)) {
        const v = ajv.compile({ $ref: 'doc#/components/schemas/Problem' });
        if (!v(body)) throw new Error(`${path} ${status}: ${ajv.errorsText(v.errors)}`);
        checked++;
        return;
      }
      if (!t) throw new Error(`no documented path for ${path}`);
      const op = paths[t.p]![method.toLowerCase()];
      if (!op) throw new Error(`no documented ${method} ${t.p}`);
      const resp = op.responses[String(status)];
      if (!resp) throw new Error(`${method} ${t.p}: status ${status} is not documented`);
      const media = contentType.split(';')[0]!.trim();
      const schema = resp.content?.[media]?.schema;
      if (!resp.content) return;
      if (schema === undefined) throw new Error(`${method} ${t.p} ${status}: content type ${media} is not documented`);
      const validate = ajv.compile(fix(schema) as object);
      if (!validate(body))
        throw new Error(
          `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`,
        );
      checked++;
    },
  };
}
