/**
 * A small jail.conf(5) reader for tests: statements `name;`, `name = v, v;`, `name += v;`,
 * jail blocks, comments (#, //, /* *\/), double-quoted strings with C escapes and $name /
 * ${name} references, bare words. `.include` and user variables are not needed here.
 * `effectiveParameters` merges the wildcard statements with a jail's block and expands the
 * references the way jail(8) does, so two files can be compared parameter by parameter.
 */

type Piece = { text: string } | { ref: string };
export interface ParsedStatement {
  name: string;
  op: '=' | '+=' | 'flag';
  values: Piece[][];
}
export interface ParsedConf {
  wildcard: ParsedStatement[];
  jails: Record<string, ParsedStatement[]>;
}

type Token = { kind: 'word'; pieces: Piece[] } | { kind: 'punct'; text: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (c === '#' || src.startsWith('//', i)) i = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
    else if (src.startsWith('/*', i)) i = src.indexOf('*/', i) + 2;
    else if (src.startsWith('+=', i)) (tokens.push({ kind: 'punct', text: '+=' }), (i += 2));
    else if ('{};=,'.includes(c)) (tokens.push({ kind: 'punct', text: c }), i++);
    else {
      // A word: adjacent quoted and bare pieces are joined.
      const pieces: Piece[] = [];
      while (i < src.length && !/[\s{};=,#]/.test(src[i]) && !src.startsWith('+=', i)) {
        if (src[i] === '"') {
          i++;
          while (src[i] !== '"') {
            if (i >= src.length) throw new Error('unterminated string');
            if (src[i] === '\\') {
              const e = src[i + 1];
              pieces.push({ text: e === 'n' ? '\n' : e === 't' ? '\t' : e });
              i += 2;
            } else if (src[i] === '$') i = readRef(src, i, pieces);
            else (pieces.push({ text: src[i] }), i++);
          }
          i++;
        } else if (src[i] === '$') i = readRef(src, i, pieces);
        else (pieces.push({ text: src[i] }), i++);
      }
      tokens.push({ kind: 'word', pieces });
    }
  }
  return tokens;
}

function readRef(src: string, i: number, pieces: Piece[]): number {
  const m = /^\$(?:\{([A-Za-z0-9_.]+)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(src.slice(i));
  if (!m) throw new Error(`bad $ at ${i}: ${src.slice(i, i + 20)}`);
  pieces.push({ ref: m[1] ?? m[2] });
  return i + m[0].length;
}

const wordText = (t: Token) => (t.kind === 'word' ? t.pieces.map((p) => ('text' in p ? p.text : `$${p.ref}`)).join('') : t.text);

export function parseJailConf(src: string): ParsedConf {
  const tokens = tokenize(src);
  const conf: ParsedConf = { wildcard: [], jails: {} };
  let block: ParsedStatement[] = conf.wildcard;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i];
    if (t.kind === 'punct' && t.text === '}') {
      block = conf.wildcard;
      i++;
      continue;
    }
    if (t.kind !== 'word') throw new Error(`unexpected ${t.text}`);
    const name = wordText(t);
    const next = tokens[i + 1];
    if (next?.kind === 'punct' && next.text === '{') {
      block = conf.jails[name] = conf.jails[name] ?? [];
      i += 2;
    } else if (next?.kind === 'punct' && next.text === ';') {
      block.push({ name, op: 'flag', values: [] });
      i += 2;
    } else if (next?.kind === 'punct' && (next.text === '=' || next.text === '+=')) {
      const values: Piece[][] = [];
      i += 2;
      for (;;) {
        const v = tokens[i];
        if (v?.kind !== 'word') throw new Error(`value expected after ${name}`);
        values.push(v.pieces);
        const sep = tokens[i + 1];
        i += 2;
        if (sep?.kind === 'punct' && sep.text === ';') break;
        if (!(sep?.kind === 'punct' && sep.text === ',')) throw new Error(`; or , expected after ${name}`);
      }
      block.push({ name, op: next.text, values });
    } else throw new Error(`cannot parse at ${name}`);
  }
  return conf;
}

/** A jail's parameters after merging the wildcard section, with references expanded. */
export function effectiveParameters(conf: ParsedConf, jail: string): Record<string, string[] | true> {
  const raw: Record<string, Piece[][] | true> = {};
  for (const s of [...conf.wildcard, ...(conf.jails[jail] ?? [])]) {
    if (s.op === 'flag') raw[s.name] = true;
    else if (s.op === '+=' && Array.isArray(raw[s.name])) raw[s.name] = [...(raw[s.name] as Piece[][]), ...s.values];
    else raw[s.name] = s.values;
  }
  const expand = (pieces: Piece[], depth = 0): string =>
    pieces
      .map((p) => {
        if ('text' in p) return p.text;
        if (p.ref === 'name') return jail;
        const v = raw[p.ref];
        if (!Array.isArray(v) || depth > 5) throw new Error(`undefined variable $${p.ref} in jail ${jail}`);
        return v.map((x) => expand(x, depth + 1)).join(' ');
      })
      .join('');
  const out: Record<string, string[] | true> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = v === true ? true : v.map((x) => expand(x));
  return out;
}
