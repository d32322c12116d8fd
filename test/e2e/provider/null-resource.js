'use strict';
/**
 * hashicorp/null's `null_resource`, as a test double: its schema and its plan/apply rules,
 * on values as Terraform sends them (cty values in msgpack; an unknown value is msgpack
 * extension type 0, see hashicorp/terraform docs/plugin-protocol/object-wire-format.md).
 *
 * The rules are those of terraform-provider-null's resource (internal/provider/resource.go):
 * - `id` is computed: unknown in the plan of a create, a random decimal integer after it,
 *   kept as it is by every later plan (UseStateForUnknown);
 * - `triggers` is an optional map(string) whose change requires replacement (RequiresReplace):
 *   any difference from the prior state, an unknown value included, replaces.
 * The provider itself has an empty configuration schema.
 */
const crypto = require('crypto');
const { decode, encode, ExtensionCodec } = require('@msgpack/msgpack');

/** The value Terraform does not know yet ("known after apply"). */
const UNKNOWN = Symbol('unknown');

const codec = new ExtensionCodec();
codec.register({
  type: 0,
  encode: (v) => (v === UNKNOWN ? new Uint8Array(0) : null),
  // Newer Terraform versions put refinements of the unknown value in the payload: still unknown.
  decode: () => UNKNOWN,
});

/** A cty value from msgpack bytes (objects and maps as plain objects, null as null). */
function decodeValue(bytes) {
  if (!bytes || bytes.length === 0) return null;
  return decode(bytes, { extensionCodec: codec });
}

function sortedKeys(value) {
  if (value === null || value === UNKNOWN || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys(value[k])]));
}

/** msgpack bytes of a cty value; object attributes in name order, as cty writes them. */
function encodeValue(value) {
  return Buffer.from(encode(sortedKeys(value), { extensionCodec: codec }));
}

const TYPE_NAME = 'null_resource';

/** Schema.Attribute.type is a JSON type constraint. */
const RESOURCE_SCHEMA = {
  version: 0,
  block: {
    version: 0,
    attributes: [
      { name: 'id', type: Buffer.from(JSON.stringify('string')), description: 'This is set to a random value at create time.', computed: true },
      {
        name: 'triggers', type: Buffer.from(JSON.stringify(['map', 'string'])), optional: true,
        description: 'A map of arbitrary strings that, when changed, will force the null resource to be replaced, re-running any associated provisioners.',
      },
    ],
  },
};

const PROVIDER_SCHEMA = { version: 0, block: { version: 0, attributes: [] } };

/** What terraform-provider-null puts in `id`: a random non-negative int63, in decimal. */
function newId() {
  return BigInt.asUintN(63, crypto.randomBytes(8).readBigUInt64BE()).toString();
}

/** Deep equality of cty values where UNKNOWN equals nothing, itself included. */
function sameValue(a, b) {
  if (a === UNKNOWN || b === UNKNOWN) return false;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
}

function isWhollyKnown(v) {
  if (v === UNKNOWN) return false;
  if (v === null || typeof v !== 'object') return true;
  return Object.values(v).every(isWhollyKnown);
}

function error(summary, detail = '') {
  return { severity: 'ERROR', summary, detail };
}

/** Only null_resource exists; anything else is Terraform asking about a type we do not have. */
function checkType(typeName) {
  return typeName === TYPE_NAME ? [] : [error(`Unknown resource type ${typeName}`, `this provider has only ${TYPE_NAME}`)];
}

/** Config validation: the attributes of the schema only, `id` not set, triggers a map of strings. */
function validate(config) {
  if (config === null || config === UNKNOWN) return [];
  const extra = Object.keys(config).filter((k) => k !== 'id' && k !== 'triggers');
  if (extra.length > 0) return [error('Unsupported argument', `null_resource has no argument ${extra.join(', ')}`)];
  if (config.id !== null && config.id !== undefined) return [error('Invalid Configuration for Read-Only Attribute', 'id is computed: it cannot be set')];
  const t = config.triggers;
  if (t !== null && t !== undefined && t !== UNKNOWN && (typeof t !== 'object' || Object.values(t).some((v) => v !== UNKNOWN && v !== null && typeof v !== 'string'))) {
    return [error('Incorrect attribute value type', 'triggers must be a map of strings')];
  }
  return [];
}

/**
 * PlanResourceChange: the planned state and the attribute paths that require replacement.
 * `prior` null = create; `proposed` null = destroy.
 */
function plan(prior, proposed) {
  if (proposed === null) return { planned: null, requiresReplace: [] };
  const triggers = proposed.triggers ?? null;
  if (prior === null) return { planned: { id: UNKNOWN, triggers }, requiresReplace: [] };
  if (!sameValue(prior.triggers ?? null, triggers)) return { planned: { id: UNKNOWN, triggers }, requiresReplace: [['triggers']] };
  return { planned: { id: prior.id, triggers }, requiresReplace: [] };
}

/** ApplyResourceChange: the new state (null for a destroy) or diagnostics. */
function apply(prior, planned) {
  if (planned === null) return { newState: null, diagnostics: [] };
  if (!isWhollyKnown(planned.triggers ?? null)) {
    return { newState: null, diagnostics: [error('Provider produced invalid plan', 'triggers are not wholly known at apply time')] };
  }
  const id = planned.id === UNKNOWN ? newId() : planned.id;
  return { newState: { id, triggers: planned.triggers ?? null }, diagnostics: [] };
}

/** UpgradeResourceState: schema version 0 is the only one; JSON or the legacy flatmap to a cty object. */
function upgrade(version, rawState) {
  if (version > 0) return { state: null, diagnostics: [error('Unsupported schema version', `null_resource state version ${version} is newer than 0`)] };
  if (rawState?.json && rawState.json.length > 0) {
    const j = JSON.parse(Buffer.from(rawState.json).toString('utf8'));
    return { state: { id: j.id ?? null, triggers: j.triggers ?? null }, diagnostics: [] };
  }
  const flat = rawState?.flatmap ?? {};
  let triggers = null;
  if (flat['triggers.%'] !== undefined) {
    triggers = {};
    for (const [k, v] of Object.entries(flat)) if (k.startsWith('triggers.') && k !== 'triggers.%') triggers[k.slice('triggers.'.length)] = v;
  }
  return { state: { id: flat.id ?? null, triggers }, diagnostics: [] };
}

module.exports = {
  UNKNOWN, TYPE_NAME, RESOURCE_SCHEMA, PROVIDER_SCHEMA,
  decodeValue, encodeValue, newId, sameValue, validate, checkType, plan, apply, upgrade, error,
};
