/**
 * A reader for the pf.conf subset the library renders, written from pf.conf(5) and
 * sbin/pfctl/parse.y to check rendered text independently of the renderer: statements as
 * the lexer sees them (`#` comments outside quotes, `\` continuations, `{ }` spanning lines),
 * macros expanded, each statement's category, and nat/rdr/filter rules taken apart.
 */

export type PfCategory = 'macro' | 'table' | 'options' | 'ethernet' | 'normalization' | 'queueing' | 'translation' | 'filtering' | 'other';

export interface ParsedRule {
  readonly kind: 'nat' | 'rdr' | 'pass' | 'block' | 'anchor' | 'nat-anchor' | 'rdr-anchor';
  readonly pass?: boolean;
  readonly log?: boolean;
  readonly quick?: boolean;
  readonly direction?: string;
  readonly interface?: string;
  readonly family?: string;
  readonly proto?: string;
  readonly from?: string;
  readonly to?: string;
  readonly port?: string;
  readonly target?: string;
  readonly targetPort?: string;
  readonly anchor?: string;
}

export interface PfStatement {
  /** Line where the statement starts (1-based). */
  readonly line: number;
  /** Last line of the statement. */
  readonly endLine: number;
  readonly category: PfCategory;
  /** The statement after macro expansion, words joined by one space. */
  readonly text: string;
  readonly rule?: ParsedRule;
}

export interface PfParse {
  readonly macros: Record<string, string>;
  readonly statements: PfStatement[];
}

const CATEGORIES: Record<string, PfCategory> = {
  set: 'options', ether: 'ethernet', scrub: 'normalization', altq: 'queueing', queue: 'queueing',
  nat: 'translation', rdr: 'translation', binat: 'translation', 'nat-anchor': 'translation', 'rdr-anchor': 'translation', 'binat-anchor': 'translation',
  pass: 'filtering', block: 'filtering', match: 'filtering', antispoof: 'filtering', anchor: 'filtering',
  table: 'table',
};

/** Order index of the categories parse.y checks (others are free anywhere). */
export const ORDER: PfCategory[] = ['options', 'ethernet', 'normalization', 'queueing', 'translation', 'filtering'];

function words(s: string): string[] {
  return s.match(/"[^"]*"|->|[(){}<>!,]|[^\s(){}<>!,"]+/g) ?? [];
}

function parseRule(w: string[]): ParsedRule | undefined {
  const kind = w[0] as ParsedRule['kind'];
  if (!['nat', 'rdr', 'pass', 'block', 'anchor', 'nat-anchor', 'rdr-anchor'].includes(kind)) return undefined;
  const r: Record<string, unknown> = { kind };
  let i = 1;
  if (kind.endsWith('anchor')) {
    r.anchor = w[1]?.replace(/^"|"$/g, '');
    return r as unknown as ParsedRule;
  }
  const take = (): string => {
    const x = w[i++];
    if (x === '(') { const v = `(${w[i]})`; i += 2; return v; }
    return x;
  };
  while (i < w.length) {
    const x = w[i];
    if (x === 'pass' || x === 'log' || x === 'quick') { r[x] = true; i++; }
    else if (x === 'in' || x === 'out') { r.direction = x; i++; }
    else if (x === 'on') { i++; r.interface = take(); }
    else if (x === 'inet' || x === 'inet6') { r.family = x; i++; }
    else if (x === 'proto') { i++; r.proto = take(); }
    else if (x === 'all') { r.from = 'any'; r.to = 'any'; i++; }
    else if (x === 'from') { i++; r.from = take(); }
    else if (x === 'to') { i++; r.to = take(); }
    else if (x === 'port') { i++; r[r.target === undefined ? 'port' : 'targetPort'] = take(); }
    else if (x === '->') { i++; r.target = take(); }
    else throw new Error(`unexpected word ${JSON.stringify(x)} in: ${w.join(' ')}`);
  }
  return r as unknown as ParsedRule;
}

/**
 * Parse pf.conf text; throws on an undefined macro or (unless `rules` is false, for an
 * administrator's file in full pf syntax) a rule word outside the rendered subset.
 */
export function parsePf(text: string, { rules = true } = {}): PfParse {
  const macros: Record<string, string> = {};
  const statements: PfStatement[] = [];
  const lines = text.split('\n');
  let buf = '';
  let start = 0;
  let depth = 0;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i];
    let quote = false;
    let cut = l.length;
    for (let j = 0; j < l.length; j++) {
      const c = l[j];
      if (c === '"') quote = !quote;
      else if (!quote && c === '#') { cut = j; break; }
      else if (!quote && c === '{') depth++;
      else if (!quote && c === '}') depth--;
    }
    l = l.slice(0, cut);
    const cont = /\\\s*$/.test(l);
    if (cont) l = l.replace(/\\\s*$/, '');
    if (buf === '' && l.trim() === '' && !cont) continue;
    if (buf === '') start = i + 1;
    buf += ' ' + l;
    if (cont || depth > 0) continue;
    const stmt = buf.trim();
    buf = '';
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"([^"]*)"|(\S+))$/.exec(stmt);
    if (m) {
      macros[m[1]] = expand(m[2] ?? m[3], macros);
      statements.push({ line: start, endLine: i + 1, category: 'macro', text: `${m[1]} = "${macros[m[1]]}"` });
      continue;
    }
    const w = words(expand(stmt, macros));
    const kw = w[0] === 'no' ? w[1] : w[0];
    statements.push({ line: start, endLine: i + 1, category: CATEGORIES[kw] ?? 'other', text: w.join(' '), rule: rules ? parseRule(w) : undefined });
  }
  return { macros, statements };
}

function expand(s: string, macros: Record<string, string>): string {
  // parse.y expands $NAME outside quotes only.
  return s.replace(/"[^"]*"|\$([A-Za-z0-9_]+)/g, (all, name?: string) => {
    if (name === undefined) return all;
    if (!(name in macros)) throw new Error(`macro '${name}' not defined`);
    return macros[name];
  });
}

/** The statements whose category is checked, in file order; throws like pfctl when out of order. */
export function checkOrder(p: PfParse): PfCategory[] {
  const seen: PfCategory[] = [];
  let last = -1;
  for (const s of p.statements) {
    const idx = ORDER.indexOf(s.category);
    if (idx < 0) continue;
    if (idx < last) throw new Error(`line ${s.line}: Rules must be in order: options, ethernet, normalization, queueing, translation, filtering`);
    last = idx;
    seen.push(s.category);
  }
  return seen;
}

/** The rules (nat, rdr, filter) after expansion, in order. */
export const rulesOf = (p: PfParse): ParsedRule[] => p.statements.flatMap((s) => (s.rule ? [s.rule] : []));
