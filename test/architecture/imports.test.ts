/**
 * The import graph of lib/: no cycles (type-only imports included: they still tie modules
 * together for the reader); the areas of lib/ in one order of layers, each importing only the
 * layers below it; the pure layers (lib/shell, lib/render, lib/validate) import nothing from
 * cdktf, constructs or the construct layers; and no module but one reaches into cdktf's private
 * modules.
 */
import * as fs from 'fs';
import * as path from 'path';

const LIB = path.join(__dirname, '..', '..', 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Module (path without .ts) -> the specifiers it imports or re-exports. */
function graph(): Map<string, { local: string[]; packages: string[] }> {
  const g = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of sources(LIB)) {
    const text = fs.readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]);
    const resolve = (spec: string) => {
      const base = path.resolve(path.dirname(file), spec);
      return fs.existsSync(`${base}.ts`) ? base : path.join(base, 'index');
    };
    g.set(file.replace(/\.ts$/, ''), {
      local: specs.filter((s) => s.startsWith('.')).map(resolve),
      packages: specs.filter((s) => !s.startsWith('.')),
    });
  }
  return g;
}

/** Every cycle found by a depth-first search, as module paths relative to lib/. */
function cycles(g: Map<string, { local: string[] }>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string) => {
    state.set(m, 'open');
    stack.push(m);
    for (const d of g.get(m)?.local ?? []) {
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d].map((x) => path.relative(LIB, x)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(m, 'done');
  };
  for (const m of g.keys()) if (!state.has(m)) visit(m);
  return found;
}

describe('lib/ import graph', () => {
  const g = graph();

  test('reads every module and their imports', () => {
    expect(g.size).toBeGreaterThan(20);
    expect(g.get(path.join(LIB, 'jail', 'jail'))!.local).toContain(path.join(LIB, 'jail', 'scripts'));
  });

  test('the cycle finder finds a cycle when there is one', () => {
    const a = { local: ['b'], packages: [] };
    const b = { local: ['a'], packages: [] };
    expect(cycles(new Map([['a', a], ['b', b]])).length).toBeGreaterThan(0);
  });

  test('has no cycle', () => {
    expect(cycles(g)).toEqual([]);
  });

  test('the pure layers import no cdktf, constructs, or construct layers', () => {
    for (const [m, deps] of g) {
      const rel = path.relative(LIB, m);
      if (!/^(shell|render|validate)\//.test(rel)) continue;
      expect({ [rel]: deps.packages.filter((p) => p === 'cdktf' || p === 'constructs' || p.startsWith('@cdktf/')) }).toEqual({ [rel]: [] });
      expect({ [rel]: deps.local.map((d) => path.relative(LIB, d)).filter((d) => !/^(shell|render|validate)\//.test(d)) }).toEqual({ [rel]: [] });
    }
  });

  test('every area imports only areas below it in LAYERS', () => {
    expect(layerViolations(g)).toEqual([]);
  });

  test('the layer check finds an upward and a sideways import', () => {
    const g2 = new Map([
      [path.join(LIB, 'shell', 'a'), { local: [path.join(LIB, 'render', 'b')], packages: [] }],
      [path.join(LIB, 'render', 'b'), { local: [path.join(LIB, 'shell', 'c')], packages: [] }],
      [path.join(LIB, 'nowhere', 'd'), { local: [], packages: [] }],
    ]);
    expect(layerViolations(g2)).toEqual(['shell/a imports render/b (render is above shell)', 'nowhere/d is in no layer: add its area to LAYERS']);
  });

  test('only lib/host/synth-hook.ts imports a private module of cdktf', () => {
    const privateImports = [...g].flatMap(([m, deps]) => deps.packages.filter((p) => /^cdktf\/lib\//.test(p)).map((p) => `${path.relative(LIB, m)}: ${p}`));
    expect(privateImports).toEqual(['host/synth-hook: cdktf/lib/synthesize/synthesizer']);
  });
});

/**
 * The areas of lib/, lowest first: an area imports only areas before it here (and itself).
 * validate: synth-time checks; shell: POSIX sh and the host helper; render: the text of the
 * host's files; release: FreeBSD releases; host: FreeBsdHost, HostStep and prune; then the
 * constructs, each on the ones it builds on; '.' is lib/index.ts.
 */
const LAYERS = ['validate', 'shell', 'render', 'release', 'host', 'zfs', 'devfs', 'jail', 'workload', 'vnet', 'pf', '.'];

/** Imports from a module to an area above its own, and modules in no layer. */
function layerViolations(g: Map<string, { local: string[] }>): string[] {
  const areaOf = (m: string) => path.dirname(path.relative(LIB, m)).split(path.sep)[0];
  const found: string[] = [];
  for (const [m, deps] of g) {
    const from = LAYERS.indexOf(areaOf(m));
    if (from < 0) {
      found.push(`${path.relative(LIB, m)} is in no layer: add its area to LAYERS`);
      continue;
    }
    for (const d of deps.local) {
      const to = LAYERS.indexOf(areaOf(d));
      if (to > from) found.push(`${path.relative(LIB, m)} imports ${path.relative(LIB, d)} (${areaOf(d)} is above ${areaOf(m)})`);
    }
  }
  return found;
}
