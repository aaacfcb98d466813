import type { OpenAPIObject, OperationObject, ParameterObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Every operation of the document, with its path and method. */
export function* operationsOf(
  document: OpenAPIObject,
): Generator<{ path: string; method: string; operation: OperationObject }> {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [string, OperationObject][]) {
      yield { path, method, operation };
    }
  }
}

/**
 * What the generated document says less precisely than the validation it comes from, said as
 * the server enforces it:
 * - a query parameter with a default is one the client may leave out (the generator marked
 *   `limit=50`, `format=json` and their like required, forcing generated clients to send them);
 * - a comma-separated list (`groupBy=month,country`) is a string with a pattern of its allowed
 *   members, not a string with array `items` and an array default;
 * - every tag used is declared;
 * - a nullable enum lists null among its values (OpenAPI 3.0.3: `nullable` does not add it).
 */
export function preciseOpenApi(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) nullableEnums(schema);
  const tags = new Set<string>();
  for (const { operation } of operationsOf(document)) {
    for (const tag of operation.tags ?? []) tags.add(tag);
    for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
      const schema = parameter.schema as SchemaObject | undefined;
      if (parameter.in !== 'query' || !schema) continue;
      if (schema.type === 'string' && schema.items) commaList(schema);
      if (schema.default !== undefined) parameter.required = false;
    }
  }
  const declared = new Set((document.tags ?? []).map((t) => t.name));
  document.tags = [
    ...(document.tags ?? []),
    ...[...tags]
      .filter((t) => !declared.has(t))
      .sort()
      .map((name) => ({ name })),
  ];
}

function commaList(schema: SchemaObject): void {
  const members = (schema.items as SchemaObject).enum as string[] | undefined;
  delete schema.items;
  delete schema.uniqueItems;
  if (Array.isArray(schema.default)) schema.default = (schema.default as string[]).join(',');
  if (members?.length) {
    const one = `(?:${members.join('|')})`;
    // No member twice (the lookahead), as the validation refuses a repeated one.
    const repeated = `(?!.*\\b(${members.join('|')})\\b.*\\b\\1\\b)`;
    schema.pattern = `^${repeated}(?:${one}(?:,${one})*)?$`;
  }
}

function nullableEnums(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  const node = schema as SchemaObject;
  if (node.nullable && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach(nullableEnums);
    else nullableEnums(value);
  }
}
