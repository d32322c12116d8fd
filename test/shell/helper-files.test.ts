/**
 * The host helper's source (lib/shell/helper/*.sh) as files: what is installed is those files
 * joined and stamped; their globals are the library's names; every action is a function with
 * a usage and a description, listed and dispatched by the helper itself, its arguments checked
 * against its usage before it runs; the README's table of actions is the helper's list.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as names from '../../lib/shell/names';
import { HOST_HELPER_DIR, HOST_HELPER_FILES, HOST_HELPER_PROGRAM, HOST_HELPER_REVISION, HOST_HELPER_SOURCE_DIR, HOST_HELPER_USERS_FILE, HOST_HELPER_VERSION, DEVFS_RULES_CREATED } from '../../lib/shell/helper';
import { VNET_CLAIM_DIR, VNET_LOCK } from '../../lib/shell/vnet';
import { SCRIPT_PATH } from '../../lib/shell';
import { runWithHelper } from '../support/helper';
import { haveCommand, tempDir } from '../support/sh';

/** The helper's functions in sh, `id` answering root, then COMMANDS. */
function inHelper(commands: string): { status: number; stdout: string; stderr: string } {
  return runWithHelper(`id() { echo 0; }\n${commands}`);
}

/** The functions the files define, as bash lists them once they are sourced without the dispatch. */
function definedFunctions(): string[] {
  const r = runWithHelper('compgen -A function', [], {}, 'bash');
  expect(r.status).toBe(0);
  return r.stdout.trim().split('\n').sort();
}

/** Each action's usage, from the helper's own listing (run without arguments). */
function listedUsages(): Map<string, string> {
  const r = inHelper('main');
  expect(r.status).toBe(64);
  const lines = r.stderr.split('\n');
  expect(lines[0]).toBe(`usage: helper-1 ACTION [ARGUMENT...]   (cdktf-freebsd-jails host helper, interface ${HOST_HELPER_VERSION}, revision ${HOST_HELPER_REVISION})`);
  const usages = new Map<string, string>();
  for (let i = 2; i < lines.length; i++) {
    if (!lines[i].startsWith('  ') || lines[i].startsWith('   ')) continue;
    const usage = lines[i].slice(2);
    // Each usage line is followed by its description.
    expect(lines[i + 1]).toMatch(/^ {8}\S/);
    usages.set(usage.split(' ')[0], usage);
  }
  return usages;
}

/** The fewest arguments that fit USAGE: required words, the first alternative, one of X.... */
function fewestArguments(usage: string): string[] {
  const tokens = usage.replace(/[[\]{}|]/g, ' $& ').replace(/\.\.\./g, ' ').trim().split(/\s+/).slice(1);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '[') {
      for (let d = 1; d > 0;) { i++; if (tokens[i] === '[' || tokens[i] === '{') d++; if (tokens[i] === ']' || tokens[i] === '}') d--; }
    } else if (t === '|') {
      for (let d = 1; d > 0;) { i++; if (tokens[i] === '[' || tokens[i] === '{') d++; if (tokens[i] === ']' || tokens[i] === '}') d--; }
    } else if (t !== '{' && t !== '}') {
      out.push(/^[A-Z][A-Z0-9_]*$/.test(t) ? t.toLowerCase() : t);
    }
  }
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('the helper as shell files', () => {
  test('the installed text is the files joined in order, the revision stamped, the dispatch last', () => {
    expect(fs.readdirSync(HOST_HELPER_SOURCE_DIR).filter((f) => f.endsWith('.sh')).sort()).toEqual([...HOST_HELPER_FILES].sort());
    const joined = HOST_HELPER_FILES.map((f) => fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, f), 'utf8')).join('');
    expect(joined.split('\n').filter((l) => l.startsWith('HELPER_REVISION='))).toEqual(['HELPER_REVISION=0']);
    expect(HOST_HELPER_PROGRAM).toBe(joined.replace(/^HELPER_REVISION=0$/m, `HELPER_REVISION=${HOST_HELPER_REVISION}`));
    expect(HOST_HELPER_PROGRAM.startsWith('#!/bin/sh\n')).toBe(true);
    expect(HOST_HELPER_PROGRAM.trimEnd().split('\n').pop()).toBe('main "$@"');
    expect(HOST_HELPER_PROGRAM).toContain(`\nPATH=${SCRIPT_PATH}\n`);
  });

  test('the header\'s globals are the names the library uses, value for value', () => {
    const ts: Record<string, string | number> = {
      ...Object.fromEntries(Object.entries(names).filter(([k, v]) => /^[A-Z_]+$/.test(k) && (typeof v === 'string' || typeof v === 'number'))),
      HOST_HELPER_VERSION, HOST_HELPER_DIR, HOST_HELPER_USERS_FILE, DEVFS_RULES_CREATED, VNET_CLAIM_DIR, VNET_LOCK,
    };
    const header = fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, 'header.sh'), 'utf8');
    const globals = [...header.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const shared = globals.filter((g) => g in ts);
    // Every global of the header but the helper's own is a name of the library.
    expect(globals.filter((g) => !(g in ts)).sort()).toEqual(['EX_USAGE', 'HELPER_REVISION', 'PATH']);
    const r = spawnSync('/bin/sh', ['-c', `. ./header.sh\n${shared.map((g) => `printf '%s=%s\\n' ${g} "$${g}"`).join('\n')}`], { cwd: HOST_HELPER_SOURCE_DIR, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const values = Object.fromEntries(r.stdout.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(values).toEqual(Object.fromEntries(shared.map((g) => [g, String(ts[g])])));
    // The ones step scripts, the prune step and the constructs name on the host are all there.
    for (const n of ['STATE_DIR', 'OWNER_PROPERTY', 'BLOCK_BEGIN', 'PF_CONF', 'PF_ANCHOR_ROOT', 'SCOPE_CLAIM_DIR', 'HOST_HELPER_USERS_FILE', 'VNET_CLAIM_DIR']) expect(shared).toContain(n);
  });

  test.each(['header.sh', ...HOST_HELPER_FILES.filter((f) => f !== 'header.sh'), 'the joined helper'])('sh -n accepts %s', (f) => {
    const text = f === 'the joined helper' ? HOST_HELPER_PROGRAM : fs.readFileSync(path.join(HOST_HELPER_SOURCE_DIR, f), 'utf8');
    for (const shell of ['/bin/sh', 'dash', 'bash'].filter((s) => s.startsWith('/') || haveCommand(s))) {
      expect(spawnSync(shell, ['-n'], { input: text, encoding: 'utf8' }).status).toBe(0);
    }
  });

  (haveCommand('shellcheck') ? test.each([...HOST_HELPER_FILES, 'the joined helper']) : test.skip.each(['shellcheck']))('shellcheck -s sh finds nothing in %s', (f) => {
    const dir = tempDir();
    const file = f === 'the joined helper' ? path.join(dir, 'helper-1') : path.join(HOST_HELPER_SOURCE_DIR, f);
    if (f === 'the joined helper') fs.writeFileSync(file, HOST_HELPER_PROGRAM);
    const r = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the helper lists, documents and dispatches every action itself', () => {
  const functions = definedFunctions();
  const actionFunctions = functions.filter((f) => f.startsWith('do_'));
  const usages = listedUsages();

  test('every do_ function is an action with a usage and a one-line description, and the listing is exactly those', () => {
    expect(actionFunctions.length).toBeGreaterThan(50);
    const vars = inHelper(actionFunctions.map((f) => `printf '%s\\t%s\\t%s\\n' ${f} "$${f}_usage" "$${f}_descr"`).join('\n'));
    expect(vars.status).toBe(0);
    const rows = vars.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    for (const [fn, usage, descr] of rows) {
      const action = fn.slice(3).replace(/_/g, '-');
      expect([fn, usage.split(' ')[0]]).toEqual([fn, action]);
      expect([fn, descr.length > 10, descr.includes('\n')]).toEqual([fn, true, false]);
      expect(usages.get(action)).toBe(usage);
    }
    expect([...usages.keys()].sort()).toEqual(rows.map(([fn]) => fn.slice(3).replace(/_/g, '-')).sort());
  });

  test('help ACTION prints its usage and description; an unknown action is named, then the list, exit 64', () => {
    for (const [action, usage] of usages) {
      const r = inHelper(`main help ${action}`);
      expect([action, r.status, r.stdout.split('\n')[0]]).toEqual([action, 0, `usage: helper-1 ${usage}`]);
    }
    for (const bad of ['nosuch', 'do_block', 'block_', '-x', 'help-me', '_nosuch', '_x-y']) {
      const r = inHelper(`main ${q(bad)} a b c`);
      expect([bad, r.status]).toEqual([bad, 64]);
      expect(r.stderr.split('\n')[0]).toBe(`helper-1: unknown action ${bad}`);
      expect(r.stderr).toContain('\n  block FILE ID CONTENT\n');
    }
    expect(inHelper('main help nosuch').status).toBe(64);
  });

  test('every listed action dispatches to its function with the fewest arguments its usage takes', () => {
    for (const [action, usage] of usages) {
      const fn = `do_${action.replace(/-/g, '_')}`;
      const args = fewestArguments(usage);
      const r = inHelper(`${fn}() { printf 'ran %s\\n' "$*"; }\nmain ${action} ${args.map(q).join(' ')}`);
      expect([action, r.status, r.stdout, r.stderr]).toEqual([action, 0, `ran ${args.join(' ')}\n`, '']);
    }
  });

  test('every internal entry point (_NAME) dispatches by name, takes what its caller passes, and is listed nowhere', () => {
    const internal = functions.filter((f) => f.startsWith('_'));
    for (const name of ['_block', '_use', '_release', '_claim', '_pf_apply', '_pf_rollback', '_settings_undo', '_no_tty', '_vnet_prune']) expect(internal).toContain(name);
    for (const fn of internal) {
      const r = inHelper(`${fn}() { printf 'ran %s\\n' "$*"; }\nmain ${fn} a 'b c'`);
      expect([fn, r.status, r.stdout]).toEqual([fn, 0, 'ran a b c\n']);
      expect(usages.has(fn)).toBe(false);
    }
  });

  test('too few or too many arguments: the action\'s usage, exit 64, and the action does not run', () => {
    const cases: Array<[string, string[]]> = [
      ['block', ['f', 'id']], ['block', ['f', 'id', 'c', 'x']], ['owned-by', ['ds']], ['jail-start', []], ['jail-start', ['a', 'b']],
      ['jail-teardown', ['n', 'c', 'p']], ['dataset-create', ['d', 'o', 'r', 'root']], ['dataset-create', ['d', 'o']],
      ['settings-apply', ['state', 'rc', 'name']], ['settings-apply', []], ['pf-remove', ['a']], ['pf-remove', ['a', 'f', 'o', 'x']],
      ['pf-hooks', ['x']], ['vnet-list', ['-x']], ['vnet-list', ['-r', '-r']], ['vnet-release', ['n', 'o', 'ng']],
      ['vnet-add', ['n', 'i', 'm', 'bridged']], ['vnet-add', ['n', 'i', 'm', 'switch', 'em0']], ['vnet-add', ['n', 'i', 'm', 'routed', 'gw']],
      ['vnet-add', ['n', 'i', 'm', 'sideways']], ['vnet-epair-add', ['n', 'i', 'm', 'h', 'routed', 'gw', 'gwh']],
      ['no-tty', ['5']], ['locked', ['f']], ['jail-prune', ['s', 'r', 'm']], ['claim', ['s']], ['use', []],
    ];
    for (const [action, args] of cases) {
      const fn = `do_${action.replace(/-/g, '_')}`;
      const r = inHelper(`${fn}() { echo ran; }\nmain ${action} ${args.map(q).join(' ')}`);
      expect([action, args, r.status, r.stdout]).toEqual([action, args, 64, '']);
      expect(r.stderr.split('\n')[0]).toBe(`usage: helper-1 ${usages.get(action)}`);
    }
    const fits: Array<[string, string[]]> = [
      ['dataset-create', ['d', 'o', 'r']], ['dataset-create', ['d', 'o', 'r', 'root', 'mnt']], ['dataset-create', ['d', 'o', 'r', 'root', 'mnt', 'p1', 'p2']],
      ['settings-apply', ['state']], ['settings-apply', ['state', 'rc', 'a', 'YES', 'sysctl', 'b', '1']], ['prune-parents', []],
      ['pf-remove', ['a', 'f']], ['pf-remove', ['a', 'f', 'o']], ['vnet-list', []], ['vnet-list', ['-r']],
      ['vnet-add', ['n', 'i', 'm', 'routed', 'gw', '10.0.0.1/24', 'fd00::1/64']], ['vnet-epair-add', ['n', 'i', 'm', 'h', 'bridged', 'em0']],
      ['vnet-release', ['n', 'o', 'if_bridge']], ['no-tty', ['5', 'pkg', '-y', 'install']],
    ];
    for (const [action, args] of fits) {
      const fn = `do_${action.replace(/-/g, '_')}`;
      const r = inHelper(`${fn}() { echo ran; }\nmain ${action} ${args.map(q).join(' ')}`);
      expect([action, args, r.status, r.stdout]).toEqual([action, args, 0, 'ran\n']);
    }
  });

  test('anyone but root is refused before the action runs; usage and help need no root', () => {
    const dir = tempDir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'id'), '#!/bin/sh\necho 1001\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'zfs'), `#!/bin/sh\necho ran > ${q(path.join(dir, 'ran'))}\n`, { mode: 0o755 });
    const helper = path.join(dir, 'helper-1');
    fs.writeFileSync(helper, HOST_HELPER_PROGRAM.replace(`\nPATH=${SCRIPT_PATH}\n`, `\nPATH=${bin}:${SCRIPT_PATH}\n`), { mode: 0o755 });
    const r = spawnSync(helper, ['owned-by', 'zroot/x', 'o'], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([1, 'helper-1: error: owned-by: must be run as root\n']);
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
    expect(spawnSync(helper, ['help', 'owned-by'], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync(helper, [], { encoding: 'utf8' }).status).toBe(64);
  });
});

describe('the README\'s table of the helper\'s actions', () => {
  test('has a row for every action of the helper and an action for every row, with its usage', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The host helper program'));
    const table = section.slice(section.indexOf('| action | arguments |'), section.indexOf('\n\n', section.indexOf('| action | arguments |')));
    const rows = table.split('\n').slice(2).map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|')));
    const documented = new Map<string, string>();
    for (const [actions, args] of rows) {
      for (const a of actions.split(' / ')) documented.set(a.replace(/`/g, ''), `${a.replace(/`/g, '')}${args ? ` ${args}` : ''}`);
    }
    expect(new Map([...documented].sort())).toEqual(new Map([...listedUsages()].sort()));
  });
});
