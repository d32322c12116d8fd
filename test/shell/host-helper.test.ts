/**
 * The host helper program (lib/shell/helper.ts), run for real by /bin/sh with stand-ins for
 * FreeBSD's zfs, sysrc, jls and service, and with its state directory moved into a temporary
 * directory. The e2e suite runs it on the strict fake FreeBSD host; these tests pin each
 * action's contract: exact owners, idempotence, and the removal of the helper by its last user.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_HELPER_PROGRAM, HOST_HELPER_USERS_FILE, SCOPE_CLAIM_DIR, SCRIPT_PATH, SETTINGS_CHANGES_FILE_NAME, STATE_DIR } from '../../lib/shell';
import { haveCommand, tempDir } from '../support/sh';

interface Rig {
  dir: string;
  helper: string;
  log: string;
  run(...args: string[]): { status: number; stdout: string; stderr: string };
  calls(): string[];
  setProp(dataset: string, prop: string, value: string): void;
}

/** A stand-in: records its argv, answers `zfs list/get` from files under $RIG/zfs. */
const FAKES: Record<string, string> = {
  lockf: `while getopts kst: opt; do :; done\nshift $((OPTIND - 1))\nf=$(basename "$1"); shift\nexec flock "$RIG/$f" "$@"`,
  // Also records, in $RIG/zfs-locked, each call made while the zfs-parents lock is held (by an
  // ancestor: a lock of another open file description, so flock -n fails).
  zfs: `echo "zfs $*" >> "$RIG/log"
flock -n "$RIG/cdktf-freebsd-jails.zfs-parents.lock" true 2>/dev/null || echo "zfs $*" >> "$RIG/zfs-locked"
case "$1" in
  list) for a in "$@"; do last=$a; done; [ -d "$RIG/zfs/$(echo "$last" | tr / _)" ] ;;
  get) for a in "$@"; do last=$a; done; f="$RIG/zfs/$(echo "$last" | tr / _)/$5"; if [ -f "$f" ]; then cat "$f"; else echo -; fi ;;
  create) for a in "$@"; do last=$a; done; d="$RIG/zfs/$(echo "$last" | tr / _)"; mkdir -p "$d"
    shift; while [ "$1" = -o ]; do echo "\${2#*=}" > "$d/\${2%%=*}"; shift 2; done ;;
  *) : ;;
esac`,
  sysrc: `echo "sysrc $*" >> "$RIG/log"
store="$RIG/rc"; touch "$store"
case "$1" in
  -n) grep "^$3=" "$store" | sed 's/^[^=]*=//' ;;
  -x) grep -v "^$2=" "$store" > "$store.t" || :; mv "$store.t" "$store" ;;
  *+=* | *-=*)
    n=\${1%%[+-]=*}; w=\${1#*=}; old=$(grep "^$n=" "$store" | sed 's/^[^=]*=//')
    case "$1" in
      *+=*) new="\${old:+$old }$w" ;;
      *) new=$(for x in $old; do [ "$x" = "$w" ] || printf '%s ' "$x"; done); new=\${new% } ;;
    esac
    grep -v "^$n=" "$store" > "$store.t" || :; echo "$n=$new" >> "$store.t"; mv "$store.t" "$store" ;;
  *=*) grep -v "^\${1%%=*}=" "$store" > "$store.t" || :; echo "$1" >> "$store.t"; mv "$store.t" "$store" ;;
esac`,
  jls: `[ -f "$RIG/running.$2" ]`,
  service: `echo "service $*" >> "$RIG/log"; case "$3" in start|restart) touch "$RIG/running.$3";; esac
case "$2" in start) touch "$RIG/running.$3" ;; onestop) rm -f "$RIG/running.$3" ;; restart) touch "$RIG/running.$3" ;; esac`,
  jail: `echo "jail $*" >> "$RIG/log"`,
  date: `echo 20261201T000000Z`,
  // daemon(8) without options: daemon(3) forks, the parent exits 0, the child calls setsid(2).
  daemon: `exec setsid -f "$@"`,
  // A program that asks on its controlling terminal, with FreeBSD's message when it has none.
  asker: `if ! (: <>/dev/tty) 2>/dev/null; then echo "asker: cannot open /dev/tty: Device not configured" >&2; exit 1; fi
exec 3<>/dev/tty
printf 'Proceed (y/n)? ' >&3
read -r answer <&3
[ "$answer" = y ]`,
};

function rig(): Rig {
  const dir = tempDir('cdktf-helper-');
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(dir, 'zfs'));
  for (const [name, body] of Object.entries(FAKES)) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const state = path.join(dir, 'state');
  // The program's own PATH line puts the stand-ins first; its state directory is moved here.
  const text = HOST_HELPER_PROGRAM.replace(`PATH=${SCRIPT_PATH}\n`, `PATH=${bin}:${SCRIPT_PATH}\n`).split(STATE_DIR).join(state);
  expect(text).not.toContain(STATE_DIR);
  const helper = path.join(dir, 'libexec', 'helper-1');
  fs.mkdirSync(path.dirname(helper));
  fs.writeFileSync(helper, text, { mode: 0o755 });
  const log = path.join(dir, 'log');
  return {
    dir,
    helper,
    log,
    run: (...args) => {
      const r = spawnSync(helper, args, { encoding: 'utf8', env: { ...process.env, RIG: dir } });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
    setProp: (dataset, prop, value) => {
      const d = path.join(dir, 'zfs', dataset.replace(/\//g, '_'));
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, prop), `${value}\n`);
    },
  };
}

const haveFlock = haveCommand('flock');
const haveTerminal = haveCommand('script') && haveCommand('setsid') && haveCommand('timeout');
const t = haveFlock ? test : test.skip;

/**
 * Runs a command line on a new PTY (util-linux script), as Terraform runs scripts, with no one
 * typing (script's stdin stays open and silent); its own status.
 */
function onTerminal(h: Rig, command: string): Promise<{ status: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('timeout', ['20', 'script', '-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, RIG: h.dir, PATH: `${path.join(h.dir, 'bin')}:${process.env.PATH}` } });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { child.stdin!.destroy(); resolve({ status: code ?? -1, output: output.replace(/\r/g, '') }); });
  });
}

describe('host helper program', () => {
  (haveCommand('shellcheck') ? test : test.skip)('passes shellcheck -s sh', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'helper'), HOST_HELPER_PROGRAM);
    const r = spawnSync('shellcheck', ['-s', 'sh', path.join(dir, 'helper')], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  t('block adds, replaces in place and removes a managed block', () => {
    const h = rig();
    const file = path.join(h.dir, 'hosts');
    fs.writeFileSync(file, '127.0.0.1 localhost\n');
    expect(h.run('block', file, 'jail h1', '127.1.1.1 h1').status).toBe(0);
    expect(h.run('block', file, 'jail h1', '127.1.1.9 h1').status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('127.0.0.1 localhost\n# BEGIN cdktf-freebsd-jails jail h1\n127.1.1.9 h1\n# END cdktf-freebsd-jails jail h1\n');
    expect(h.run('block', file, 'jail h1', '').status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('127.0.0.1 localhost\n');
  });

  t('owned-by compares the owner exactly, never as a prefix', () => {
    const h = rig();
    h.setProp('zroot/vm/db', 'cdktf-freebsd-jails:owner', 'stack/db');
    expect(h.run('owned-by', 'zroot/vm/db', 'stack/db').status).toBe(0);
    expect(h.run('owned-by', 'zroot/vm/db', 'stack/d').status).toBe(1);
    expect(h.run('owned-by', 'zroot/vm/db', 'stack/db/x').status).toBe(1);
    expect(h.run('owned-by', 'zroot/vm/missing', 'stack/db').status).toBe(1);
  });

  t('write-file writes exactly once; write-managed-file refuses a file it did not write', () => {
    const h = rig();
    const file = path.join(h.dir, 'h1.conf');
    const content = "# Managed by cdktf-freebsd-jails: x\nh1 { path = \"$name\"; }\n";
    expect(h.run('write-file', file, '0640', content).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    const inode = fs.statSync(file).ino;
    expect(h.run('write-managed-file', file, '0644', content).status).toBe(0);
    expect(fs.statSync(file).ino).toBe(inode);
    const foreign = path.join(h.dir, 'admin.conf');
    fs.writeFileSync(foreign, 'admin { }\n');
    const r = h.run('write-managed-file', foreign, '0644', content);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was not written by cdktf-freebsd-jails; refusing to replace it');
    expect(fs.readFileSync(foreign, 'utf8')).toBe('admin { }\n');
  });

  t('jail-dataset-remove destroys by the recorded policy, else retires under ROOT/.retired', () => {
    const h = rig();
    h.setProp('zroot/vm', 'mountpoint', '/vm');
    h.setProp('zroot/vm/.retired', 'mountpoint', '/vm/.retired');
    h.setProp('zroot/vm/db', 'cdktf-freebsd-jails:removal', 'destroy');
    expect(h.run('jail-dataset-remove', 'zroot/vm/db', 'zroot/vm', '/vm', 'db').status).toBe(0);
    expect(h.calls()).toContain('zfs destroy -r zroot/vm/db');
    h.setProp('zroot/vm/web', 'cdktf-freebsd-jails:removal', 'retain');
    expect(h.run("jail-dataset-remove", "zroot/vm/web", "zroot/vm", "/vm", "web").status).toBe(0);
    expect(h.calls()).toContain('zfs set canmount=noauto cdktf-freebsd-jails:role=retired zroot/vm/web');
    expect(h.calls()).toContain('zfs rename -u zroot/vm/web zroot/vm/.retired/web-20261201T000000Z');
    expect(h.calls()).not.toContain('zfs destroy -r zroot/vm/web');
  });

  t('what goes into a shared parent is made in the same hold of the zfs-parents lock as the parent (prune-parents holds it to remove an empty one)', () => {
    const h = rig();
    const locked = () => (fs.existsSync(path.join(h.dir, 'zfs-locked')) ? fs.readFileSync(path.join(h.dir, 'zfs-locked'), 'utf8').split('\n').filter(Boolean) : []);
    h.setProp('zroot/vm', 'mountpoint', '/vm');
    h.setProp('zroot/vm/web', 'cdktf-freebsd-jails:removal', 'retain');
    expect(h.run('jail-dataset-remove', 'zroot/vm/web', 'zroot/vm', '/vm', 'web').status).toBe(0);
    expect(locked()).toEqual(expect.arrayContaining(['zfs create -o cdktf-freebsd-jails:owner=shared-parent -o cdktf-freebsd-jails:role=parent zroot/vm/.retired', 'zfs rename -u zroot/vm/web zroot/vm/.retired/web-20261201T000000Z']));
    h.setProp('zroot/vm/tmpl/14.3@p3', 'type', 'snapshot');
    expect(h.run('jail-dataset-create', 'zroot/vm/h1', 'lab:lab/h1', 'h1', 'zroot/vm/tmpl/14.3@p3', 'clone', 'zroot/vm', '/vm').status).toBe(0);
    expect(locked().filter((l) => l.startsWith('zfs clone'))).toHaveLength(1);
    expect(h.run('dataset-create', 'zroot/vm/tmpl/15.0', 'lab:lab/t', 'template', 'zroot/vm', '/vm', 'zroot/vm/tmpl').status).toBe(0);
    expect(locked().filter((l) => /^zfs create .* zroot\/vm\/tmpl\/15\.0$/.test(l))).toHaveLength(1);
    // The three-argument form (scripts of earlier builds) takes no lock, as before.
    expect(h.run('dataset-create', 'zroot/vm/data', 'lab:lab/d', 'data').status).toBe(0);
    expect(locked().filter((l) => /zroot\/vm\/data$/.test(l))).toEqual([]);
  });

  t('jail-start starts through service jail start and fails when the jail does not run', () => {
    const h = rig();
    expect(h.run('jail-start', 'h1').status).toBe(0);
    expect(h.calls()).toContain('service jail start h1');
    expect(h.run('jail-start', 'h1').stdout).toContain('==> jail h1 runs');
    expect(h.run('jail-stop', 'h1').status).toBe(0);
    expect(h.calls()).toContain('service jail onestop h1');
    // A stand-in whose start leaves no jail: rc.d/jail exits 0 then, the helper must not.
    fs.writeFileSync(path.join(h.dir, 'bin', 'service'), '#!/bin/sh\necho "Starting jails: cannot start jail \\"$3\\""\n', { mode: 0o755 });
    const r = h.run('jail-start', 'h2');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('jail h2 did not start');
  });

  t('settings-apply records only what it changed; settings-undo undoes exactly that', () => {
    const h = rig();
    const state = path.join(h.dir, 'settings', 'pf.state');
    const changes = path.join(h.dir, 'settings', SETTINGS_CHANGES_FILE_NAME);
    fs.writeFileSync(path.join(h.dir, 'rc'), 'pflog_enable=YES\n'); // the administrator's
    expect(h.run('settings-apply', state, 'rc', 'pf_enable', 'YES', 'rc', 'pflog_enable', 'yes').status).toBe(0);
    expect(fs.readFileSync(state, 'utf8')).toBe('hold rc pf_enable YES\nhold rc pflog_enable yes\n');
    expect(fs.readFileSync(changes, 'utf8')).toBe('rc pf_enable YES rc_set pf_enable\n');
    expect(h.run('settings-apply', state, 'rc', 'pf_enable', 'YES', 'rc', 'pflog_enable', 'yes').status).toBe(0);
    expect(fs.readFileSync(state, 'utf8')).toBe('hold rc pf_enable YES\nhold rc pflog_enable yes\n');
    expect(fs.readFileSync(changes, 'utf8')).toBe('rc pf_enable YES rc_set pf_enable\n');
    expect(fs.readFileSync(path.join(h.dir, 'rc'), 'utf8').split('\n').sort()).toEqual(['', 'pf_enable=YES', 'pflog_enable=YES']);
    expect(h.run('settings-undo', state).status).toBe(0);
    expect(fs.readFileSync(path.join(h.dir, 'rc'), 'utf8')).toBe('pflog_enable=YES\n');
    expect(fs.existsSync(state)).toBe(false);
    expect(fs.existsSync(path.join(h.dir, 'settings'))).toBe(false);
    expect(h.run('settings-apply', state, 'rc', 'pf_enable').status).toBe(64); // incomplete triple
  });

  t('settings two owners hold are undone by the last of them, whichever made them; its own ones go with each', () => {
    const h = rig();
    const a = path.join(h.dir, 'settings', 'a.state');
    const b = path.join(h.dir, 'settings', 'b.state');
    const rc = () => fs.readFileSync(path.join(h.dir, 'rc'), 'utf8').split('\n').filter(Boolean).sort();
    expect(h.run('settings-apply', a, 'rc', 'jail_enable', 'YES', 'rc-word', 'cloned_interfaces', 'lo1').status).toBe(0);
    expect(h.run('settings-apply', b, 'rc', 'jail_enable', 'YES', 'rc-word', 'cloned_interfaces', 'lo1', 'rc-word', 'cloned_interfaces', 'lo2').status).toBe(0);
    expect(rc()).toEqual(['cloned_interfaces=lo1 lo2', 'jail_enable=YES']);
    // a made jail_enable and lo1, but b holds them too: only a goes.
    expect(h.run('settings-undo', a).status).toBe(0);
    expect(rc()).toEqual(['cloned_interfaces=lo1 lo2', 'jail_enable=YES']);
    expect(fs.existsSync(a)).toBe(false);
    // The last owner undoes all of it, and the variable the words were added to goes with them.
    const last = h.run('settings-undo', b);
    expect(last.status).toBe(0);
    expect(rc()).toEqual([]);
    expect(fs.existsSync(path.join(h.dir, 'settings'))).toBe(false);
  });

  t('cache-dir: the outermost directory made is removed with its content by the last holder; one that was there stays', () => {
    const h = rig();
    const a = path.join(h.dir, 'settings', 'a.state');
    const b = path.join(h.dir, 'settings', 'b.state');
    const made = path.join(h.dir, 'cache', 'ours', 'pkg');
    const theirs = path.join(h.dir, 'hostcache');
    fs.mkdirSync(theirs);
    fs.writeFileSync(path.join(theirs, 'keep.pkg'), 'the host\'s\n');
    expect(h.run('settings-apply', a, 'cache-dir', made, '-', 'cache-dir', theirs, '-', 'cache-dir', `${theirs}/FreeBSD:14:amd64`, '-').status).toBe(0);
    expect(h.run('settings-apply', b, 'cache-dir', made, '-').status).toBe(0);
    fs.writeFileSync(path.join(made, 'git.pkg'), 'fetched\n');
    fs.writeFileSync(path.join(theirs, 'FreeBSD:14:amd64', 'git.pkg'), 'fetched\n');
    expect(h.run('settings-undo', a).status).toBe(0);
    expect(fs.existsSync(path.join(made, 'git.pkg'))).toBe(true); // b still holds it
    expect(fs.readdirSync(theirs)).toEqual(['keep.pkg']);
    expect(h.run('settings-undo', b).status).toBe(0);
    expect(fs.existsSync(path.join(h.dir, 'cache'))).toBe(false);
    expect(fs.readdirSync(theirs)).toEqual(['keep.pkg']);
  });

  t('settings-undo still undoes a state file of records written by earlier versions', () => {
    const h = rig();
    const state = path.join(h.dir, 'settings', 'old.state');
    fs.mkdirSync(path.dirname(state));
    fs.writeFileSync(path.join(h.dir, 'rc'), 'jail_enable=YES\nkeep=1\n');
    fs.writeFileSync(state, 'jail_enable\n');
    expect(h.run('settings-undo', state).status).toBe(0);
    expect(fs.readFileSync(path.join(h.dir, 'rc'), 'utf8')).toBe('keep=1\n');
    expect(fs.existsSync(state)).toBe(false);
  });

  t('claim: one Terraform state per scope; another is refused and changes nothing; only the holder gives it up', () => {
    const h = rig();
    const claim = path.join(SCOPE_CLAIM_DIR.replace(STATE_DIR, path.join(h.dir, 'state')), 'lab.claim');
    expect(h.run('claim', 'lab', '111').status).toBe(0);
    expect(fs.readFileSync(claim, 'utf8')).toBe('111\n');
    expect(h.run('claim', 'lab', '111').stdout).toContain('==> ownership scope lab is claimed by this Terraform state');
    const refused = h.run('claim', 'lab', '222');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`helper-1: error: ownership scope lab is claimed on this host by another Terraform state (claim 111; this state's is 222): give this app's FreeBsdHost another ownershipScope, or destroy the other app first; if no state holds that claim any more, remove ${claim}\n`);
    expect(fs.readFileSync(claim, 'utf8')).toBe('111\n');
    // Scopes are whole names: "lab" claimed says nothing about "la" or "lab2".
    expect(h.run('claim-check', 'la', '111').status).toBe(1);
    expect(h.run('claim-check', 'lab', '111').status).toBe(0);
    expect(h.run('claim-check', 'lab', '222').stderr).toContain('ownership scope lab is not claimed on this host by this Terraform state (claim 222;');
    expect(h.run('unclaim', 'lab', '222').status).toBe(0);
    expect(fs.readFileSync(claim, 'utf8')).toBe('111\n');
    expect(h.run('unclaim', 'lab', '111').status).toBe(0);
    expect(fs.existsSync(claim)).toBe(false);
    expect(h.run('claim', 'lab', '222').status).toBe(0);
    // The claims' directory is every scope's: it stays until the helper's last user goes (a scope
    // removing it could break another's claim written in it at that moment), then goes.
    expect(h.run('unclaim', 'lab', '222').status).toBe(0);
    expect(fs.readdirSync(path.dirname(claim))).toEqual([]);
    expect(h.run('use', 'lab').status).toBe(0);
    expect(h.run('release', 'lab').status).toBe(0);
    expect(fs.existsSync(path.dirname(claim))).toBe(false);
  });

  t('use/release: the helper goes with its last owner, owners matched exactly', () => {
    const h = rig();
    const users = HOST_HELPER_USERS_FILE.replace(STATE_DIR, path.join(h.dir, 'state'));
    expect(h.run('use', 'stack-a/host').status).toBe(0);
    expect(h.run('use', 'stack-a/host').status).toBe(0);
    expect(h.run('use', 'stack-b/host').status).toBe(0);
    expect(fs.readFileSync(users, 'utf8')).toBe('stack-a/host\nstack-b/host\n');
    expect(h.run('release', 'stack-a/hos').status).toBe(0); // not a prefix match
    expect(h.run('release', 'stack-a/host').status).toBe(0);
    expect(fs.existsSync(h.helper)).toBe(true);
    const last = h.run('release', 'stack-b/host');
    expect(last.status).toBe(0);
    expect(last.stdout).toContain('no owner needs the helper');
    expect(fs.existsSync(h.helper)).toBe(false);
    expect(fs.existsSync(users)).toBe(false);
  });

  (haveTerminal ? test : test.skip)('no-tty: on a terminal, a command that asks on /dev/tty fails at once, named, instead of waiting', async () => {
    const h = rig();
    // The control: on the PTY itself the question waits for an answer (here until timeout ends it).
    expect((await onTerminal(h, 'timeout --foreground 2 asker')).status).toBe(124);
    const r = await onTerminal(h, `${h.helper} no-tty 10 asker --flag`);
    expect(r.status).toBe(1);
    expect(r.output).toContain('asker: cannot open /dev/tty: Device not configured');
    expect(r.output).toContain('helper-1: error: asker --flag wanted to ask a question on the terminal (/dev/tty) and failed (exit 1)');
  });

  (haveTerminal ? test : test.skip)('no-tty: output passes, the status is the command\'s, stdin is /dev/null, the time is bounded', () => {
    const h = rig();
    const ok = h.run('no-tty', '5', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect([ok.status, ok.stdout]).toEqual([3, 'out\nerr\n']);
    const input = spawnSync(h.helper, ['no-tty', '5', 'cat'], { input: 'typed\n', encoding: 'utf8', env: { ...process.env, RIG: h.dir } });
    expect([input.status, input.stdout]).toEqual([0, '']);
    const slow = h.run('no-tty', '1', 'sleep', '30');
    expect(slow.status).toBe(124);
    expect(slow.stderr).toContain('error: sleep 30 did not finish within 1 s');
    expect(h.run('no-tty', 'soon', 'true').status).toBe(1);
    expect(h.run('no-tty', '5').status).toBe(64);
    // Nothing is left behind in the temporary directory.
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('cdktf-freebsd-jails-no-tty.') && fs.statSync(path.join(os.tmpdir(), f)).mtimeMs > Date.now() - 60_000)).toEqual([]);
  });
});
