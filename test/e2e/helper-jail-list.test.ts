/**
 * The host helper's admin_boot_jails (lib/shell/helper/jails.sh), run by /bin/sh against the fake
 * host's jail(8) and files: which jails of the administrator's rc.d/jail starts at boot while
 * jail_list is empty. jail-list-add lists exactly these before the first managed jail; the
 * scenarios of test/e2e/scenarios-jail-list.test.ts run it whole over SSH.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BLOCK_BEGIN, BLOCK_END, HOST_HELPER_PROGRAM, MANAGED_FILE_MARKER } from '../../lib/shell';
import { runWithHelper } from '../support/helper';
import { F, shimsAt } from './fakebsd-support';

let root: string;
const { write } = shimsAt(() => root);

/** admin_boot_jails of the helper, its JAIL_CONF and JAIL_CONF_DIR moved under the fake root. */
function adminBootJails(): { status: number; stdout: string; stderr: string; jailCalls: number } {
  expect(HOST_HELPER_PROGRAM).toMatch(/^admin_boot_jails\(\) \{\n(?:.*\n)*?.*jail -f - -e/m);
  const bin = path.join(root, '.bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'jail'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(__dirname, 'fakebsd', 'fakebsd.js'))} jail "$@"\n`, { mode: 0o755 });
  const script = `JAIL_CONF=${root}/etc/jail.conf JAIL_CONF_DIR=${root}/etc/jail.conf.d PATH=${bin}:$PATH\nadmin_boot_jails`;
  const before = F.readCommandsLog(root).length;
  const r = runWithHelper(script, [], { env: { ...process.env, FAKEBSD_ROOT: root } });
  return { ...r, jailCalls: F.readCommandsLog(root).length - before };
}

const block = (id: string, text: string) => `${BLOCK_BEGIN} ${id}\n${text}${BLOCK_END} ${id}\n`;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'helper-jail-list-'));
  F.initHost(root, {});
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('admin_boot_jails', () => {
  test('the administrator\'s jails of /etc/jail.conf and what it includes, in order; not this library\'s blocks, include or conf files', () => {
    write('/etc/jail.conf.d/h1.conf', `${MANAGED_FILE_MARKER}\nh1 { path = "/vm/h1"; }\n`);
    write('/etc/jail.conf.d/spare.conf', 'spare { path = "/data/spare"; }\n');
    write('/etc/jail.conf.d/other.conf', 'other { path = "/data/other"; }\n');
    // The administrator's own include reaches their spare.conf, other.conf, and h1.conf, which
    // this library wrote; its block of a jail (FreeBSD 13) and its include are not theirs.
    write('/etc/jail.conf', [
      'path = "/data/$name";',
      'zeta { persist; }',
      block('include', '.include "/etc/jail.conf.d/*.conf";\n'),
      block('jail h2', 'h2 { path = "/vm/h2"; }\n'),
      'alpha { persist; }',
      '.include "/etc/jail.conf.d/[os]*.conf";',
      '.include "/etc/jail.conf.d/h1.conf";',
      '',
    ].join('\n'));
    expect(adminBootJails()).toEqual({ status: 0, stdout: 'zeta\nalpha\nother\nspare\n', stderr: '', jailCalls: 1 });
  });

  test('a jail that rc.d/jail cannot find by a jail_list word is warned about, not listed', () => {
    // rc.d/jail turns "." into "_" in jail_list words; a quoted name with a blank is two words;
    // an all-digit block name is a jid (jail.c prints jid=N).
    write('/etc/jail.conf', 'persist;\nparent { child { } }\n"two words" { }\n7 { path = "/data/seven"; }\nok-1_x { }\n');
    const r = adminBootJails();
    expect(r.stdout).toBe('parent\nok-1_x\n');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'warning: the jail of /etc/jail.conf shown as name=parent.child cannot be named in jail_list: it no longer starts at boot',
      'warning: the jail of /etc/jail.conf shown as name="two words" cannot be named in jail_list: it no longer starts at boot',
      'warning: the jail of /etc/jail.conf shown as jid=7 cannot be named in jail_list: it no longer starts at boot',
    ].map((l) => l.replace('/etc/jail.conf', `${root}/etc/jail.conf`)));
  });

  test('nothing without /etc/jail.conf or with only this library\'s blocks (jail(8) is not run); a syntax error fails it', () => {
    expect(adminBootJails()).toEqual({ status: 0, stdout: '', stderr: '', jailCalls: 0 });
    write('/etc/jail.conf', `# jails\n${block('include', '.include "/etc/jail.conf.d/*.conf";\n')}`);
    write('/etc/jail.conf.d/spare.conf', 'spare { path = "/data/spare"; }\n');
    expect(adminBootJails()).toEqual({ status: 0, stdout: '', stderr: '', jailCalls: 0 });
    write('/etc/jail.conf', 'broken {\n');
    expect(adminBootJails().status).not.toBe(0);
  });
});
