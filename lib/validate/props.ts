/**
 * The shape of a construct's props as they arrive, checked before any of them is used. The
 * TypeScript compiler checks it for TypeScript users; a user of an untyped language (Python
 * without a type checker, JavaScript) reaches the constructor with whatever was written, and
 * without this check met a TypeError from deep inside (`values.find is not a function`).
 * Each error names the construct path, the prop as the user wrote it (`portForwards[0].jail`),
 * what was given and what to write instead, in `validated()`'s words:
 * `stack/web: invalid addresses: the string "127.1.1.1/32" must be a list of JailAddress, like [...]`.
 */
import { ValidationError } from './index';

/** A wrong prop, at its path below the props (`addresses[0]`, `bastion.port`). */
class PropError extends ValidationError {
  constructor(public readonly prop: string, message: string) {
    super(message);
  }
}

/** What a prop must be. */
export interface Kind {
  /** The words for it: `a list of strings`, `a JailHost`. */
  readonly what: string;
  /** An example of it, given what the user gave (a value to write instead). */
  readonly like?: (given: unknown) => string | undefined;
  /** Whether the value is of this kind on its face (its own fields are checked by `fields`). */
  readonly is: (value: unknown) => boolean;
  /** Check the parts of a value that `is` accepted (list items, struct fields). */
  readonly parts?: (value: any, prop: string) => void;
  /** Must be given. */
  readonly required?: boolean;
}

/** The value as a message shows it: what the user gave, with its type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  if (value === null) return 'null';
  const json = (x: unknown) => {
    let text: string | undefined;
    try {
      text = JSON.stringify(x);
    } catch {
      text = undefined;
    }
    if (text === undefined) return '';
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  switch (typeof value) {
    case 'string': return `the string ${json(value)}`;
    case 'number': return `the number ${value}`;
    case 'boolean': return `the boolean ${value}`;
    case 'function': return `the function ${(value as Function).name || '(anonymous)'}`;
    case 'object': break;
    default: return `the ${typeof value} ${String(value)}`;
  }
  if (Array.isArray(value)) return `the list ${json(value) || `of ${value.length} items`}`;
  const path = (value as any).node?.path;
  const cls = Object.getPrototypeOf(value)?.constructor?.name;
  if (typeof path === 'string') return `the ${cls ?? 'construct'} ${path}`;
  if (cls && cls !== 'Object') return `a ${cls}`;
  return `the object ${json(value)}`;
}

function wrong(kind: Kind, value: unknown, prop: string): never {
  const like = kind.like?.(value);
  throw new PropError(prop, `${describeValue(value)} must be ${kind.what}${like ? `, like ${like}` : ''}`);
}

/** Check one value against its kind; `prop` is its path for messages. */
function checkValue(kind: Kind, value: unknown, prop: string): void {
  if (!kind.is(value)) wrong(kind, value, prop);
  kind.parts?.(value, prop);
}

/** The same kind, required. */
export function required(kind: Kind): Kind {
  return { ...kind, required: true };
}

/**
 * A string. `like` is an example, written as the user would (`"em0"`), or made from what was
 * given; without it, a number or boolean given is shown as the string it would be.
 */
export function str(like?: string | ((given: unknown) => string | undefined)): Kind {
  return {
    what: 'a string',
    like: (given) => (typeof like === 'function' ? like(given) : like)
      ?? (typeof given === 'number' || typeof given === 'boolean' ? JSON.stringify(String(given)) : undefined),
    is: (x) => typeof x === 'string',
  };
}

/** A number. */
export function num(like?: string): Kind {
  return {
    what: 'a number',
    like: (given) => (typeof given === 'string' && given.trim() !== '' && !Number.isNaN(Number(given)) ? String(Number(given)) : like),
    is: (x) => typeof x === 'number',
  };
}

/** true or false. */
export const bool: Kind = { what: 'true or false', is: (x) => typeof x === 'boolean' };

/** A value of an enum, written by its member names (`PfMode.ANCHOR`), which every language shares. */
export function oneOf(enumName: string, members: Record<string, string | number>): Kind {
  const names = Object.entries(members).filter(([k]) => !/^\d+$/.test(k));
  return {
    what: `a ${enumName}: ${names.map(([k, val]) => `${enumName}.${k} (${JSON.stringify(val)})`).join(', ')}`,
    is: (x) => names.some(([, val]) => val === x),
  };
}

/**
 * An instance of `cls` (a construct or a value class), like `new JailHost(...)` or
 * `FreeBsdRelease.of("14.3")`; `fields` checks what the instance carries (a PfPortForward's jail).
 */
export function instanceOf(cls: Function, like: string | ((given: unknown) => string), fields?: Record<string, Kind>): Kind {
  return {
    what: `a ${cls.name}`,
    like: typeof like === 'string' ? () => like : like,
    is: (x) => x instanceof cls,
    parts: fields ? (x, prop) => checkFields(fields, x, prop, cls.name) : undefined,
  };
}

/** An object that implements an interface (has the method `method`), like IJailNetwork's bind. */
export function implementing(interfaceName: string, method: string, like: string): Kind {
  return {
    what: `an ${interfaceName}`,
    like: () => like,
    is: (x) => typeof x === 'object' && x !== null && typeof (x as any)[method] === 'function',
  };
}

/**
 * An object that implements an interface of properties (IJail, IZfsTemplate): every member in
 * `members` is there. What constructs accept by interface, checked for untyped languages.
 */
export function shaped(interfaceName: string, members: string[], like: string): Kind {
  return {
    what: `an ${interfaceName}`,
    like: () => like,
    is: (x) => typeof x === 'object' && x !== null && members.every((m) => (x as any)[m] !== undefined),
  };
}

/** A list of `item`s (`items` names them in the plural: `strings`, `JailAddress objects`). */
export function list(item: Kind, items: string): Kind {
  return {
    what: `a list of ${items}`,
    like: (given) => {
      if (item.is(given)) return `[${typeof given === 'object' ? '...' : JSON.stringify(given)}] (a list, even of one)`;
      const inner = item.like?.(given);
      return inner ? `[${inner}]` : undefined;
    },
    is: (x) => Array.isArray(x),
    parts: (x: unknown[], prop) => x.forEach((e, i) => checkValue(item, e, `${prop}[${i}]`)),
  };
}

/** A map of names to `value`s (a plain object: a dict in Python, a Map in Java). */
export function map(value: Kind, like: string): Kind {
  return {
    what: `a map of names to ${value.what.replace(/^an? /, '')}s`,
    like: () => like,
    is: (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    parts: (x: Record<string, unknown>, prop) => Object.entries(x).forEach(([k, e]) => checkValue(value, e, `${prop}.${k}`)),
  };
}

/** A struct (an interface of props), its fields checked in turn. */
export function struct(name: string, fields: Record<string, Kind>, like: string): Kind {
  return {
    what: `a ${name}`,
    like: () => like,
    is: (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
    parts: (x, prop) => checkFields(fields, x, prop, name),
  };
}

/** The fields of `value` (props, a struct, an instance's fields), `owner` the type that requires them. */
function checkFields(fields: Record<string, Kind>, value: any, prefix: string, owner: string): void {
  for (const [name, kind] of Object.entries(fields)) {
    const prop = prefix ? `${prefix}.${name}` : name;
    const given = value[name];
    if (given === undefined || given === null) {
      if (kind.required) {
        const like = kind.like?.(given);
        throw new PropError(prop, `missing; ${owner} requires it: give ${kind.what}${like ? `, like ${like}` : ''}`);
      }
      continue;
    }
    checkValue(kind, given, prop);
  }
}

/**
 * Check a construct's props against `fields` before the constructor uses any of them: a
 * ValidationError `PATH: invalid PROP: GIVEN must be KIND, like EXAMPLE` for the first wrong one.
 */
export function checkProps(at: string, construct: string, props: unknown, fields: Record<string, Kind>): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    const needed = Object.entries(fields).filter(([, k]) => k.required).map(([n]) => n);
    throw new ValidationError(`${at}: invalid props: ${describeValue(props)} must be the ${construct}'s props, an object${needed.length ? ` with ${needed.join(', ')}` : ''}`);
  }
  try {
    checkFields(fields, props, '', construct);
  } catch (e) {
    if (e instanceof PropError) throw new ValidationError(`${at}: invalid ${e.prop}: ${e.message}`);
    throw e;
  }
}

/** What to write for a FreeBsdRelease: `FreeBsdRelease.of("14.3")` for the string "14.3". */
export function releaseLike(given: unknown): string {
  return typeof given === 'string' || typeof given === 'number'
    ? `FreeBsdRelease.of(${JSON.stringify(String(given))})`
    : 'FreeBsdRelease.V14_5 or FreeBsdRelease.of("14.5")';
}

/**
 * Check the arguments of a factory of a value class (`PfPortRange.port(80)`) as they arrive from
 * an untyped language, before they are kept: `PfPortRange.port: invalid port: the string "80"
 * must be a number, like 80`. `args` are [name, value, kind] in the order of the signature.
 */
export function checkArgs(call: string, args: [string, unknown, Kind][]): void {
  for (const [name, value, kind] of args) {
    if (value === undefined || value === null) {
      if (!kind.required) continue;
      const like = kind.like?.(value);
      throw new ValidationError(`${call}: invalid ${name}: missing; give ${kind.what}${like ? `, like ${like}` : ''}`);
    }
    try {
      checkValue(kind, value, name);
    } catch (e) {
      if (e instanceof PropError) throw new ValidationError(`${call}: invalid ${e.prop}: ${e.message}`);
      throw e;
    }
  }
}
