import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { JSONSchemaFaker } from 'json-schema-faker';
import { createCommunity, createUser } from '../factories/community.factory';
import { Answer, call } from '../support/http';
import { createTestApp, TestApp } from '../support/test-app';

/*
 * The OpenAPI document holds both ways, driven by /openapi.json as the authorisation and
 * property suites are:
 * - it passes Redocly's recommended rules with 0 errors (the warnings are listed and justified);
 * - requests generated from the documented schemas (json-schema-faker, seeded) are never
 *   answered 400, nor 5xx;
 * - a request breaking one documented constraint of a valid one is answered 400 naming the field;
 * - every answer has a documented status and validates against its documented schema (ajv).
 *
 * What no schema can know is given, not generated (REFERENCES): codes and ids that must exist
 * (a platform, a channel of it), and rules between fields (an escalation time not in the future).
 * A 400 for such a value is a semantic refusal the document describes in words.
 */

type Json = Record<string, unknown>;
type Schema = Json & { $ref?: string };
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const SEED = Number(process.env.FIDELITY_SEED ?? 20261207);
const SAMPLES = Number(process.env.FIDELITY_SAMPLES ?? 8);

/** Warnings Redocly may give, and why each is right for this API. */
const JUSTIFIED_WARNINGS: Record<string, string> = {
  // The server is the instance's PUBLIC_BASE_URL; a test instance has none, so it is '/' or local.
  'no-server-example.com': 'the test instance has no public address',
  // /health and /health/live take no input: 200 or 503 are their only answers.
  'operation-4xx-response': 'health checks take no input and have no client error',
};

/** Left out of a generated request: the document cannot make it valid. */
const OMIT = Symbol('omit');

/**
 * Values the document cannot generate, by field (body or query), or by `operationId.field`:
 * references to rows that must exist, values whose validity depends on other fields, and tokens
 * only the server issues. GENERATE undoes a general entry for one operation.
 */
const GENERATE = Symbol('generate');
const REFERENCES: Record<string, unknown> = {
  // must exist
  platformCode: 'facebook',
  platform: 'facebook',
  channelCode: 'trusted_partner',
  channel: 'trusted_partner',
  'Contacts_list.channel': GENERATE, // a contact's address kind, not a platform's channel
  subcategoryCode: null,
  subcategory: OMIT,
  contactId: null,
  ownerId: null,
  successorId: null,
  workingGroupId: OMIT,
  'ChannelRegistry_create.organizationId': (w: World) => w.organizationId,
  'ChannelRegistry_create.channelId': (w: World) => w.channelId,
  // an org_admin's claim needs its evidence (an admin's record does not): a rule of the caller
  'ChannelRegistry_create.evidenceNote': 'Granted by e-mail from the partnerships team',
  // issued by the server
  cursor: OMIT,
  // rules between fields: sharing lists go with their TLP, periods have an order and a length,
  // response quality and statements of reasons go with a platform's answer, an indicator's value
  // with its kind, a tenure's end after its start
  tlp: 'AMBER+STRICT',
  shareWithOrganizationIds: OMIT,
  shareWithUserIds: OMIT,
  from: OMIT,
  to: OMIT,
  'Audit_list.from': GENERATE, // instants, in any order: the pattern holds them
  'Audit_list.to': GENERATE,
  quality: OMIT,
  statementOfReasons: OMIT,
  'Indicators_matches.kind': 'account_handle',
  'Indicators_matches.value': '@attacker_1',
  endedOn: OMIT,
  startsAt: '2027-03-01T15:00:00Z', // a meeting ends after it starts, within a day
  endsAt: '2027-03-01T16:30:00Z',
  until: OMIT,
  'CaseEvents_add.channelCode': OMIT, // only with follow_up_sent
  indicators: [{ kind: 'account_handle', value: '@attacker_1' }], // each value's form is its kind's
  otherPlatformCodes: OMIT, // platforms of the same parent company
  // the caller's own password (see SESSION_ENDING)
  currentPassword: (w: World) => w.password,
};

/** Operations that end the caller's sessions when they succeed. */
const SESSION_ENDING = new Set(['Users_changePassword']);

/** What the references read: the suite's fixtures. */
interface World {
  organizationId: string;
  channelId: string;
  password: string;
}

function referenceFor(operationId: string, field: string): unknown {
  const scoped = `${operationId}.${field}`;
  const value = scoped in REFERENCES ? REFERENCES[scoped] : REFERENCES[field];
  return value === GENERATE ? undefined : value;
}

describe('the OpenAPI document holds both ways', () => {
  let t: TestApp;
  let doc: Document;
  let ajv: Ajv;
  let callers: { name: string; token: string }[];
  let world: World;
  let organizationA: string;
  let channelId: string;
  /** Per operation, a request valid by the document that got past the guards, and its token. */
  const accepted = new Map<string, { request: GeneratedRequest; token?: string }>();
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    t = await createTestApp({ WRITE_RATE_LIMIT_PER_MINUTE: '1000000' });
    doc = (await call(t.app, 'GET', '/openapi.json')).body as unknown as Document;
    const c = await createCommunity(t.app);
    callers = [
      { name: 'org_admin', token: c.inA.orgAdmin.token },
      { name: 'admin', token: c.admin.token },
    ];
    organizationA = c.a.id;
    const facebook = await call<{ channels: { id: string; code: string }[] }>(
      t.app,
      'GET',
      '/v1/platforms/facebook',
      { token: c.admin.token },
    );
    channelId = facebook.body.channels.find((ch) => ch.code === 'trusted_partner')!.id;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: doc.components }, 'doc');
  });
  afterAll(() => t?.close());

  it('passes Redocly recommended rules with 0 errors, and only the justified warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      // Redocly exits non-zero on errors: read its report either way.
      const { stdout: output } = spawnSync(
        process.execPath,
        [require.resolve('@redocly/cli/bin/cli.js'), 'lint', file, '--format=json'],
        { cwd: join(__dirname, '../..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const report = JSON.parse(output) as {
        totals: { errors: number };
        problems: {
          ruleId: string;
          severity: string;
          message?: string;
          location?: { pointer: string }[];
        }[];
      };
      const said = (p: { ruleId: string; message?: string; location?: { pointer: string }[] }) =>
        `${p.ruleId} ${p.location?.[0]?.pointer ?? ''}: ${p.message ?? ''}`;
      expect(report.problems.filter((p) => p.severity === 'error').map(said)).toEqual([]);
      expect(report.totals.errors).toBe(0);
      const unjustified = report.problems.filter((p) => !(p.ruleId in JUSTIFIED_WARNINGS));
      expect(unjustified.map(said)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );

  it('answers no request valid by the document with 400 or 5xx, and every answer as documented', async () => {
    const failures: string[] = [];
    for (const { path, method, operation } of operations()) {
      for (let sample = 0; sample < SAMPLES; sample++) {
        // A password change ends the caller's sessions: it gets a caller of its own each time.
        const own = SESSION_ENDING.has(operation.operationId)
          ? await createUser(t.app, organizationA, 'org_admin')
          : undefined;
        world = { organizationId: organizationA, channelId, password: own?.password ?? '' };
        const request = generate(path, operation, SEED + sample);
        const { answer, token } = await send(method, request, operation, own?.token);
        const problem = checkAnswer(operation, answer);
        if (answer.status !== 400 && answer.status < 500 && !accepted.has(operation.operationId)) {
          accepted.set(operation.operationId, { request, token });
        }
        if (answer.status === 400 || answer.status >= 500 || problem) {
          failures.push(
            `${method.toUpperCase()} ${path} #${sample}: ${answer.status} ${problem ?? answer.text.slice(0, 300)}\n    ${JSON.stringify(request).slice(0, 400)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('answers 400 naming the field to a valid request with one documented constraint broken', async () => {
    const failures: string[] = [];
    let tried = 0;
    for (const { path, method, operation } of operations()) {
      const base = accepted.get(operation.operationId);
      if (!base) continue;
      // The accepted request ended its caller's sessions: another caller breaks it.
      const token = SESSION_ENDING.has(operation.operationId)
        ? (await createUser(t.app, organizationA, 'org_admin')).token
        : base.token;
      for (const broken of breakings(path, operation, base.request)) {
        tried++;
        const answer = await sendAs(method, broken.request, token);
        const fields = ((answer.body?.errors as { field: string }[] | undefined) ?? []).map(
          (e) => e.field,
        );
        const named = fields.some((f) => f === broken.field || f.startsWith(`${broken.field}.`));
        if (answer.status !== 400 || !named) {
          failures.push(
            `${method.toUpperCase()} ${path}: ${broken.field} ${broken.how} -> ${answer.status} ${fields.join(',')} ${answer.text.slice(0, 200)}`,
          );
        }
      }
    }
    expect(tried).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 240_000);

  /** Requests that break one documented constraint of a valid one. */
  function* breakings(
    path: string,
    operation: Operation,
    base: GeneratedRequest,
  ): Generator<Broken> {
    const withParameter = (parameter: Parameter, value: string | undefined): GeneratedRequest => {
      if (parameter.in === 'path') {
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) =>
          name === parameter.name
            ? encodeURIComponent(value ?? '')
            : (base.url.split('/')[path.split('/').indexOf(`{${name}}`)] ?? ''),
        );
        return { ...base, url };
      }
      const query = { ...base.query };
      if (value === undefined) delete query[parameter.name];
      else query[parameter.name] = value;
      return { ...base, query };
    };
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in === 'header') continue;
      for (const { value, how } of violations(deref(parameter.schema), true)) {
        yield { field: parameter.name, how, request: withParameter(parameter, String(value)) };
      }
      if (parameter.in === 'query' && parameter.required) {
        yield {
          field: parameter.name,
          how: 'left out',
          request: withParameter(parameter, undefined),
        };
      }
    }
    const schema = jsonBody(operation);
    if (!schema || !base.body) return;
    const object = deref(schema);
    const properties = (object.properties ?? {}) as Record<string, Schema>;
    for (const [name, property] of Object.entries(properties)) {
      for (const { value, how } of violations(property, false)) {
        yield { field: name, how, request: { ...base, body: { ...base.body, [name]: value } } };
      }
    }
    for (const name of requiredOf(schema)) {
      const body = { ...base.body };
      delete body[name];
      yield { field: name, how: 'left out', request: { ...base, body } };
    }
    if (object.additionalProperties === false) {
      yield {
        field: 'unexpectedField',
        how: 'not in the schema',
        request: { ...base, body: { ...base.body, unexpectedField: 1 } },
      };
    }
  }

  /** Values that break one keyword of the schema each (as text in a path or query). */
  function violations(schema: Schema, asText: boolean): { value: unknown; how: string }[] {
    const out: { value: unknown; how: string }[] = [];
    const type = schema.type as string | undefined;
    const wrongType: Record<string, unknown> = asText
      ? { integer: 'x1', number: 'x1', boolean: 'maybe' }
      : { string: 12345, integer: 'x', number: 'x', boolean: 'yes', array: 'x', object: 'x' };
    if (type && type in wrongType) out.push({ value: wrongType[type], how: `not ${type}` });
    if (type === 'integer') out.push({ value: asText ? '1.5' : 1.5, how: 'not whole' });
    if (Array.isArray(schema.enum) && type !== 'boolean') {
      out.push({ value: 'zz-not-listed', how: 'not in enum' });
    }
    if (typeof schema.pattern === 'string') {
      const pattern = new RegExp(schema.pattern, 'u');
      const value = ['!', 'x y!', '#', 'ZZ-0'].find((v) => !pattern.test(v));
      if (value !== undefined) out.push({ value, how: `not matching ${schema.pattern}` });
    }
    if (typeof schema.maxLength === 'number') {
      out.push({ value: 'a'.repeat(schema.maxLength + 1), how: 'too long' });
    }
    if (typeof schema.minLength === 'number' && schema.minLength > 0) {
      out.push({ value: '', how: 'too short' });
    }
    if (typeof schema.minimum === 'number')
      out.push({ value: schema.minimum - 1, how: 'below minimum' });
    if (typeof schema.maximum === 'number')
      out.push({ value: schema.maximum + 1, how: 'above maximum' });
    const badFormat: Record<string, string> = {
      uuid: 'not-a-uuid',
      'date-time': 'not-a-time',
      date: '2026-02-30',
      email: 'not-an-email',
      uri: 'not a url',
    };
    if (typeof schema.format === 'string' && schema.format in badFormat) {
      out.push({ value: badFormat[schema.format], how: `not ${schema.format}` });
    }
    if (type === 'array' && schema.items) {
      const item = sample(schema.items as Schema);
      if (typeof schema.maxItems === 'number') {
        const many = Array.from({ length: schema.maxItems + 1 }, () =>
          sample(schema.items as Schema),
        );
        out.push({ value: many, how: 'too many items' });
      }
      if (schema.uniqueItems) out.push({ value: [item, item], how: 'repeated item' });
    }
    return out;
  }

  /** A request valid by the documented schemas, with the given references. */
  function generate(path: string, operation: Operation, seed: number): GeneratedRequest {
    JSONSchemaFaker.option({
      random: mulberry32(seed),
      alwaysFakeOptionals: false,
      optionalsProbability: 0.5,
      fillProperties: false,
      maxItems: 3,
      maxLength: 60,
      useDefaultValue: false,
      failOnInvalidFormat: true,
    });
    let url = path;
    const query: Record<string, string> = {};
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in === 'header') continue;
      const reference = resolve(referenceFor(operation.operationId, parameter.name));
      if (parameter.in === 'query' && reference === OMIT) continue;
      const value =
        parameter.in === 'query' && reference !== undefined ? reference : sample(parameter.schema);
      if (parameter.in === 'path') {
        url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
      } else if (parameter.required || seed % 2 === 0) {
        query[parameter.name] = String(value);
      }
    }
    const schema = jsonBody(operation);
    let body: Json | undefined;
    if (schema) {
      body = sample(schema) as Json;
      // An operation's own references always apply; general ones to the fields present.
      const own = Object.keys(REFERENCES)
        .filter((key) => key.startsWith(`${operation.operationId}.`))
        .map((key) => key.slice(operation.operationId.length + 1));
      const fields = new Set([...Object.keys(body), ...requiredOf(schema), ...own]);
      for (const field of fields) {
        const value = resolve(referenceFor(operation.operationId, field));
        if (value === OMIT) delete body[field];
        else if (value !== undefined) body[field] = value;
      }
    }
    return { url, query, body };
  }

  function resolve(value: unknown): unknown {
    return typeof value === 'function' ? (value as (w: World) => unknown)(world) : value;
  }

  /** A value valid by the schema: json-schema-faker's, checked by ajv (it may exceed maxItems). */
  function sample(schema: Schema): unknown {
    const validate = validatorFor(schema);
    for (let attempt = 0; attempt < 20; attempt++) {
      const value = JSONSchemaFaker.generate(deref(schema)) as unknown;
      if (validate(value)) return value;
    }
    throw new Error(`no valid sample of ${JSON.stringify(schema).slice(0, 200)}`);
  }

  /** Sends as the first caller the route lets through (guards run before validation). */
  async function send(
    method: string,
    request: GeneratedRequest,
    operation: Operation,
    ownToken: string | undefined,
  ): Promise<{ answer: Answer; token?: string }> {
    const tokens = ownToken ? [ownToken] : callers.map((c) => c.token);
    let sent: { answer: Answer; token?: string } | undefined;
    for (const token of operation.security?.length === 0 ? [undefined] : tokens) {
      sent = { answer: await sendAs(method, request, token), token };
      if (sent.answer.status !== 403) break;
    }
    return sent!;
  }

  function sendAs(method: string, request: GeneratedRequest, token?: string): Promise<Answer> {
    return call(t.app, method.toUpperCase() as 'GET', request.url, {
      token,
      query: request.query,
      body: request.body,
      headers: method === 'patch' ? { 'if-match': '"1"' } : undefined,
    });
  }

  /** Why the answer is not as documented, or null. */
  function checkAnswer(operation: Operation, answer: Answer): string | null {
    const documented = operation.responses[String(answer.status)] ?? operation.responses.default;
    if (!documented) return `status ${answer.status} is not documented`;
    const type = String(answer.headers['content-type'] ?? '').split(';')[0];
    const content = documented.content?.[type] ?? documented.content?.['application/json'];
    if (!content?.schema || answer.body === undefined) return null;
    const validate = validatorFor(content.schema);
    if (validate(answer.body)) return null;
    return `answer does not match its schema: ${ajv.errorsText(validate.errors).slice(0, 300)}`;
  }

  function validatorFor(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(rebase(schema));
      validators.set(key, validate);
    }
    return validate;
  }

  function jsonBody(operation: Operation): Schema | undefined {
    return operation.requestBody?.content['application/json']?.schema;
  }

  function requiredOf(schema: Schema): string[] {
    return (deref(schema).required as string[] | undefined) ?? [];
  }

  /** The schema with every reference replaced by what it names. */
  function deref(schema: Schema): Schema {
    return inline(schema) as Schema;
  }

  function inline(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(inline);
    if (!schema || typeof schema !== 'object') return schema;
    const ref = (schema as Schema).$ref;
    if (ref) return inline(doc.components.schemas[ref.split('/').pop() as string]);
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v)]));
  }

  /** References into the document, made absolute for ajv (which holds it under the id `doc`). */
  function rebase(schema: Schema): Schema {
    return JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/'),
    ) as Schema;
  }
});

interface Broken {
  field: string;
  how: string;
  request: GeneratedRequest;
}

interface GeneratedRequest {
  url: string;
  query: Record<string, string>;
  body?: Json;
}

/** A small seeded generator, so a failure is reproduced by its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
