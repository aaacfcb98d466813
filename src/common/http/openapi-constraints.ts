import type { OpenAPIObject, ParameterObject } from '@nestjs/swagger';
import type {
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { Type } from '@nestjs/common';
import { getMetadataStorage, MetadataStorage, ValidationTypes } from 'class-validator';
import { COUNTRY_CODES } from '../reference/countries';
import { operationsOf } from './openapi-document';

/**
 * The OpenAPI document says what class-validator enforces, read from the same decorators at
 * boot, so that the two cannot drift: every request DTO's schema (and every query parameter of a
 * query DTO) gets the types, formats, bounds, patterns, enums and required fields of its
 * validation metadata, and `additionalProperties: false`, since the validation pipe refuses
 * unknown fields. Path parameters get the format of the pipe that checks them.
 */
export interface OperationInputs {
  body?: Type;
  query?: Type;
  /** Path parameter name → the pattern or format its pipe enforces. */
  path: Record<string, SchemaObject>;
}

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];

/** What one validation rule says, as JSON Schema keywords on the value (or on each item). */
type Keywords = (metadata: ValidationMetadata) => SchemaObject | null;

const patternOf = (source: RegExp | string): string =>
  typeof source === 'string' ? source : source.source;

/**
 * JSON Schema keywords for validators a feature defines (by the `name` of its ValidateBy), so the
 * document says what they check: registered next to the validator.
 */
const FEATURE_VALIDATORS = new Map<string, Keywords>();

export function documentValidator(name: string, keywords: Keywords): void {
  FEATURE_VALIDATORS.set(name, keywords);
}

/** The schema of what a path parameter's pipe accepts, registered next to the pipe. */
const PIPES = new Map<unknown, SchemaObject>();

export function documentPipe(pipe: unknown, schema: SchemaObject): void {
  PIPES.set(pipe, schema);
}

export function pipeSchema(pipes: unknown[] = []): SchemaObject | undefined {
  for (const pipe of pipes) if (PIPES.has(pipe)) return PIPES.get(pipe);
  return undefined;
}

/** What class-validator's isUUID accepts: RFC 9562 versions 1 to 8 (the JSON Schema format is looser). */
export const UUID_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$';

/** A host name with a top-level domain, as the URL patterns below require. */
const HOST = '([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}';

/** An http(s) URL the document promises is accepted (printable ASCII after the host). */
const webUrl = (schemes: string) => `(${schemes})://${HOST}(:[0-9]{1,4})?([/?#][!-~]*)?`;

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** isUrl as our DTOs use it (http(s), protocol required): a host with a top-level domain. */
const isUrlKeywords: Keywords = (m) => {
  const protocols = (m.constraints[0] as { protocols?: string[] } | undefined)?.protocols ?? [];
  const web: string[] = protocols.filter((p) => p === 'http' || p === 'https');
  if (!web.length) web.push('https?');
  return { type: 'string', format: 'uri', pattern: `^${webUrl(web.join('|'))}$` };
};

const CUSTOM: Record<string, Keywords> = {
  isString: () => ({ type: 'string' }),
  isInt: () => ({ type: 'integer' }),
  isNumber: () => ({ type: 'number' }),
  isBoolean: () => ({ type: 'boolean' }),
  isObject: () => ({ type: 'object' }),
  isArray: () => ({ type: 'array' }),
  isUuid: () => ({ type: 'string', format: 'uuid', pattern: UUID_PATTERN }),
  isEmail: () => ({ type: 'string', format: 'email' }),
  isUrl: isUrlKeywords,
  isHttpUrl: () => ({ type: 'string', format: 'uri', pattern: `^${webUrl('https?')}$` }),
  isHttpOrMailtoUrl: () => ({
    type: 'string',
    format: 'uri',
    pattern: `^(${webUrl('https?')}|mailto:[A-Za-z0-9._+-]{1,64}@${HOST})$`,
  }),
  min: (m) => ({ minimum: m.constraints[0] as number }),
  max: (m) => ({ maximum: m.constraints[0] as number }),
  minLength: (m) => ({ minLength: m.constraints[0] as number }),
  maxLength: (m) => ({ maxLength: m.constraints[0] as number }),
  // A regular expression with flags has no JSON Schema spelling: say nothing rather than wrong.
  matches: (m) =>
    m.constraints[1] || (m.constraints[0] instanceof RegExp && m.constraints[0].flags)
      ? null
      : { pattern: patternOf(m.constraints[0] as RegExp | string) },
  isIn: (m) => ({ enum: [...(m.constraints[0] as unknown[])] }),
  isEnum: (m) => ({ enum: Object.values(m.constraints[0] as object) }),
  equals: (m) => ({ enum: [m.constraints[0]] }),
  arrayMaxSize: (m) => ({ maxItems: m.constraints[0] as number }),
  arrayMinSize: (m) => ({ minItems: m.constraints[0] as number }),
  arrayUnique: () => ({ uniqueItems: true }),
  isCountryCode: () => ({ type: 'string', enum: [...COUNTRY_CODES].sort() }),
  isDateOnly: () => ({ type: 'string', format: 'date' }),
  isTimestamp: () => ({ type: 'string', format: 'date-time' }),
  // Strict ISO 8601 takes more forms (weeks, ordinal days); the document promises the common
  // one, on days that exist (29 February left out: a pattern cannot tell leap years).
  isIso8601: () => ({
    type: 'string',
    pattern:
      '^[1-9]\\d{3}-((0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|(0[469]|11)-(0[1-9]|[12]\\d|30)|02-(0[1-9]|1\\d|2[0-8]))' +
      '(T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?(Z|[+-](0\\d|1[0-4]):[0-5]\\d)?)?$',
  }),
  // Every zone Intl knows by its canonical name (the check also takes aliases such as US/Eastern).
  isTimeZone: () => ({ type: 'string', enum: [...TIME_ZONES] }),
};

/** The keywords of one property's rules, and whether it may be left out or sent as null. */
export function propertySchema(metadatas: ValidationMetadata[]): {
  keywords: SchemaObject;
  items: SchemaObject;
  optional: boolean;
  nullable: boolean;
} {
  const keywords: SchemaObject = {};
  const items: SchemaObject = {};
  let optional = false;
  let nullable = false;
  for (const metadata of metadatas) {
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      // The condition says when the rules apply: asked about a missing value and about null,
      // it tells optional (IsOptional, IsOmittable: rules skipped when missing) and nullable
      // (IsOptional, ValidateIf(v => v !== null): skipped for null). A condition on other
      // fields skips the rules when they are absent: optional.
      const applies = metadata.constraints[0] as (object: object, value: unknown) => boolean;
      const appliesTo = (value: unknown) => applies({ [metadata.propertyName]: value }, value);
      if (!appliesTo(undefined)) optional = true;
      if (!appliesTo(null)) nullable = true;
      continue;
    }
    const rule = metadata.name
      ? (CUSTOM[metadata.name] ?? FEATURE_VALIDATORS.get(metadata.name))
      : undefined;
    const said = rule?.(metadata);
    if (said) merge(metadata.each ? items : keywords, said);
  }
  return { keywords, items, optional, nullable };
}

/** Adds keywords; two patterns must both hold, so the second goes after a lookahead of the first. */
function merge(target: SchemaObject, said: SchemaObject): void {
  const { pattern, ...rest } = said;
  Object.assign(target, rest);
  if (pattern === undefined) return;
  target.pattern = target.pattern ? `(?=${target.pattern})${pattern}` : pattern;
}

const storage = () => getMetadataStorage();

/** Each property of a validated class with its rules (inherited ones included). */
export function rulesOf(target: Type): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of storage().getTargetValidationMetadatas(target, '', true, false)) {
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }
  return byProperty;
}

/** The classes of nested objects (`@ValidateNested` with `@Type`), by the document's names. */
function nestedClasses(target: Type, found = new Map<string, Type>()): Map<string, Type> {
  if (found.has(target.name)) return found;
  found.set(target.name, target);
  for (const [property, rules] of rulesOf(target)) {
    if (!rules.some((r) => r.type === ValidationTypes.NESTED_VALIDATION)) continue;
    const type = Reflect.getMetadata('design:type', target.prototype as object, property) as
      Type | undefined;
    const declared = nestedType(target, property) ?? type;
    if (declared && declared !== Array && declared !== Object) nestedClasses(declared, found);
  }
  return found;
}

/** The class `@Type(() => X)` names for a property (class-transformer's metadata). */
function nestedType(target: Type, property: string): Type | undefined {
  // class-transformer does not export its storage from the package root (no typings either).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
    defaultMetadataStorage: {
      findTypeMetadata(target: Type, property: string): { typeFunction: () => Type } | undefined;
    };
  };
  return defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction();
}

/** Rewrites one object schema from its class's rules. */
function constrainObject(schema: SchemaObject, target: Type): void {
  const rules = rulesOf(target);
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject | ReferenceObject>;
  const required: string[] = [];
  for (const [name, metadatas] of rules) {
    const property = properties[name];
    if (!property) continue;
    const { keywords, items, optional, nullable } = propertySchema(metadatas);
    if (!optional) required.push(name);
    if ('$ref' in property) continue;
    constrainValue(property, keywords, items, nullable);
  }
  // A documented property the pipe does not know is refused (forbidNonWhitelisted): drop it.
  for (const name of Object.keys(properties)) if (!rules.has(name)) delete properties[name];
  schema.required = required.length ? required : undefined;
  if (!required.length) delete schema.required;
  schema.additionalProperties = false;
}

function constrainValue(
  schema: SchemaObject,
  keywords: SchemaObject,
  items: SchemaObject,
  nullable: boolean,
): void {
  Object.assign(schema, keywords);
  if (Object.keys(items).length) {
    const inner = (schema.items ?? {}) as SchemaObject | ReferenceObject;
    if (!('$ref' in inner)) schema.items = { ...inner, ...items };
  }
  if (schema.type === 'integer' || schema.type === 'number') delete schema.format;
  if (nullable) schema.nullable = true;
  else delete schema.nullable;
}

/**
 * Applies the validation metadata of each operation's body, query and path parameters, given by
 * `inputsOf(operationId)`.
 */
export function constrainFromValidation(
  document: OpenAPIObject,
  inputsOf: (operationId: string) => OperationInputs | undefined,
): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  const bodies = new Map<string, Type>();
  for (const { operation } of operationsOf(document)) {
    const inputs = inputsOf(operation.operationId ?? '');
    if (!inputs) continue;
    if (inputs.body) nestedClasses(inputs.body, bodies);
    for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
      const schema = (parameter.schema ?? {}) as SchemaObject;
      if (parameter.in === 'path' && inputs.path[parameter.name]) {
        Object.assign(schema, inputs.path[parameter.name]);
      }
      if (parameter.in !== 'query' || !inputs.query) continue;
      const metadatas = rulesOf(inputs.query).get(parameter.name);
      if (!metadatas) continue;
      const { keywords, items, optional } = propertySchema(metadatas);
      // A comma-separated list travels as one string: preciseOpenApi gives it its pattern.
      if (keywords.type === 'array') {
        if (schema.items) Object.assign(schema.items, items);
        continue;
      }
      constrainValue(schema, keywords, items, false);
      if (optional) parameter.required = false;
      else if (schema.default === undefined) parameter.required = true;
    }
  }
  for (const [name, target] of bodies) {
    if (schemas[name]) constrainObject(schemas[name], target);
  }
}
