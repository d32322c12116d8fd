/** How jail steps are split and what their scripts do; every script through sh -n and shellcheck. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TerraformStack } from 'cdktf';
import {
  FreeBsdHost,
  FreeBsdRelease,
  HostSettings,
  JailAddress,
  JailCreationMethod,
  JailDevfsRuleset,
  JailHost,
  JailFromSnapshot,
  JailSource,
  JailPackages,
  JailParameter,
  JailRemovalPolicy,
  JailUpdate,
  SysvIpc,
} from '../../lib';
import { allScripts } from '../support/scripts';
import { haveCommand, tempDir } from '../support/sh';
import { createScript, destroyScript, isHostPruneStep, nullResources } from '../support/synth';
import { RESOLV_CONF_POSTSTOP, RESOLV_CONF_PRESTART } from '../../lib/jail/conf';
import { HOST_HELPER_PROGRAM, OFFLINE_FETCH_PROGRAM } from '../../lib/shell';
import { runWithHelper } from '../support/helper';
import { jailStack, runJailHook, synthValidated } from './fixtures';
import { effectiveParameters, parseJailConf } from './jailconf-parser';

const script = (stack: TerraformStack, prefix: string, which: 'create' | 'destroy' = 'create') => {
  const r = nullResources(stack).find((x) => x.name.startsWith(prefix));
  if (!r) throw new Error(`no resource ${prefix}`);
  return which === 'create' ? createScript(r) : destroyScript(r);
};

describe('step split', () => {
  const hashes = (props: Parameters<ReturnType<typeof jailStack>['jail']>[1]) => {
    const { jail } = jailStack();
    const j = jail('web', props);
    return { dataset: j.datasetStep.contentHash, config: j.configStep.contentHash };
  };
  const base = hashes({ addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')] });

  test('a parameter change replaces the configuration step only', () => {
    const changed = hashes({ addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], sysvshm: SysvIpc.NEW });
    expect(changed.dataset).toBe(base.dataset);
    expect(changed.config).not.toBe(base.config);
  });

  test('a removal policy change does not replace the dataset (the policy lives in a ZFS property)', () => {
    const changed = hashes({ addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], removalPolicy: JailRemovalPolicy.DESTROY });
    expect(changed.dataset).toBe(base.dataset);
  });

  test('a method change replaces the dataset, and with it the configuration', () => {
    const changed = hashes({ addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], method: JailCreationMethod.SEND_RECEIVE });
    expect(changed.dataset).not.toBe(base.dataset);
    expect(changed.config).not.toBe(base.config);
  });

  test('the configuration destroy stops the jail and removes its files and entries, not its dataset', () => {
    const { stack, jail } = jailStack();
    jail('web', { addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], nullfsMounts: [{ hostPath: '/srv', jailPath: '/srv' }] });
    const d = script(stack, 'web_config', 'destroy');
    // The one teardown (the host helper's jail-teardown: stop, conf file if managed, fstab,
    // hosts block, jail_list word; test/shell/host-helper.test.ts and the e2e suite run it).
    expect(d).toContain('"$cfj" jail-teardown web /etc/jail.conf.d/web.conf /vm/web /vm/web.fstab');
    expect(HOST_HELPER_PROGRAM).toContain('service jail onestop "$1"');
    expect(HOST_HELPER_PROGRAM).toContain(`head -n 1 "$1" | grep -qF "$MANAGED_FILE_MARKER"; then rm -f "$1"`);
    expect(HOST_HELPER_PROGRAM).toContain(`do_block /etc/hosts "jail $name" ''`);
    expect(HOST_HELPER_PROGRAM).toContain('do_locked /etc/rc.conf "$self" _rc_list_remove jail_list "$name"');
    expect(d).not.toContain('sysrc -f');
    expect(d).not.toMatch(/zfs (destroy|rename)|jail-dataset-remove/);
  });
});

describe('removal policy', () => {
  test('RETAIN is the default: the dataset destroy reads the recorded policy and renames aside', () => {
    const { stack, jail } = jailStack();
    jail('db');
    expect(script(stack, 'db_config')).toContain('zfs set cdktf-freebsd-jails:removal=retain zroot/vm/db');
    const d = script(stack, 'db_dataset', 'destroy');
    // jail-dataset-remove reads cdktf-freebsd-jails:removal: destroy, else retire as
    // zroot/vm/.retired/db-<UTC time> (run in test/shell/host-helper.test.ts).
    expect(d).toContain('"$cfj" jail-dataset-remove zroot/vm/db zroot/vm /vm db');
    expect(d).toContain(`"$cfj" owned-by 'zroot/vm/db' 'stack:stack/db'`);
    expect(d.indexOf('owned-by')).toBeLessThan(d.indexOf('jail-dataset-remove'));
  });

  test('DESTROY is recorded on the dataset', () => {
    const { stack, jail } = jailStack();
    jail('db', { removalPolicy: JailRemovalPolicy.DESTROY });
    expect(script(stack, 'db_config')).toContain('zfs set cdktf-freebsd-jails:removal=destroy zroot/vm/db');
  });
});

test('FreeBSD 13: a managed block per jail inside /etc/jail.conf, no include', () => {
  const { stack, jail, jailHost } = jailStack({ release: FreeBsdRelease.of('13.5') });
  const j = jail('old', { addresses: [JailAddress.existing('192.0.2.50')] });
  expect(jailHost.usesConfDir).toBe(false);
  expect(j.confFile).toBe('/etc/jail.conf');
  expect(script(stack, 'jails_settings')).not.toContain('.include');
  const c = script(stack, 'old_config');
  expect(c).toContain(`"$cfj" block '/etc/jail.conf' 'jail old' '`);
  expect(c).toContain(`"$cfj" jail-start 'old'`);
  // CONF /etc/jail.conf: jail-teardown removes the jail's block there, not the file.
  expect(script(stack, 'old_config', 'destroy')).toContain('"$cfj" jail-teardown old /etc/jail.conf /vm/old /vm/old.fstab');
  expect(HOST_HELPER_PROGRAM).toContain(`if [ "$conf" = "$JAIL_CONF" ]; then do_block "$JAIL_CONF" "jail $name" ''`);
});

test('several hosts in one stack: each has its own settings, prune and jails', () => {
  const stack = new TerraformStack(require('cdktf').Testing.app(), 'multi');
  for (const n of [1, 2]) {
    const host = new FreeBsdHost(stack, `host${n}`, { address: `192.0.2.${n}`, release: FreeBsdRelease.of('14.3') });
    const jailHost = new JailHost(stack, `jails${n}`, { host });
    new JailFromSnapshot(stack, `j${n}`, { jailHost, name: 'same', source: JailSource.snapshot('zroot/vm/tmpl/14.3@p3'), addresses: [JailAddress.onInterface('lo1', '127.1.1.1/32')] });
  }
  expect(() => synthValidated(stack)).not.toThrow();
  const prunes = nullResources(stack, { withHostPrune: true }).filter(isHostPruneStep);
  expect(prunes).toHaveLength(2);
  const prune2 = prunes.find((r) => r.name.startsWith('host2_prune'))!;
  expect(prune2.triggers.host).toBe('192.0.2.2');
  // Each host's prune keeps exactly the jails of that host.
  expect(createScript(prune2)).toContain(`"$cfj" jail-prune 'multi' 'zroot/vm' '/vm' '/etc/jail.conf.d' 'multi:multi/j2'\n`);
});

test('a jail\'s packages are installed after its updates (which restart it), whichever construct came first', () => {
  const { stack, jail } = jailStack();
  const h1 = jail('h1');
  new JailPackages(stack, 'before', { jail: h1, packages: ['git-lite'] });
  new JailUpdate(stack, 'update', { jail: h1 });
  new JailPackages(stack, 'after', { jail: h1, packages: ['vim-console'], offline: true });
  const h2 = jail('h2');
  new JailPackages(stack, 'other', { jail: h2, packages: ['git-lite'] });
  const all = nullResources(stack);
  const byName = (prefix: string) => all.find((r) => r.name.startsWith(prefix))!;
  const update = `null_resource.${byName('update_resource').name}`;
  expect(byName('before_install').depends_on).toContain(update);
  expect(byName('after_install').depends_on).toContain(update);
  // Another jail's packages do not wait for this jail's update.
  expect(byName('other_install').depends_on).not.toContain(update);
});

test('a jail\'s JailPackages run one after another, and so do its JailUpdates, in the order they were made; other jails\' do not wait', () => {
  const { stack, jail } = jailStack();
  const h1 = jail('h1');
  new JailPackages(stack, 'first', { jail: h1, packages: ['git-lite'], offline: true });
  new JailPackages(stack, 'second', { jail: h1, packages: ['vim-console'], offline: true });
  new JailUpdate(stack, 'u1', { jail: h1 });
  new JailUpdate(stack, 'u2', { jail: h1 });
  const h2 = jail('h2');
  new JailPackages(stack, 'other', { jail: h2, packages: ['git-lite'], offline: true });
  new JailUpdate(stack, 'u3', { jail: h2 });
  const all = nullResources(stack);
  const address = (prefix: string) => `null_resource.${all.find((r) => r.name.startsWith(prefix))!.name}`;
  const dependsOn = (prefix: string) => all.find((r) => r.name.startsWith(prefix))!.depends_on as string[];
  expect(dependsOn('second_install')).toContain(address('first_install'));
  expect(dependsOn('first_install')).not.toContain(address('second_install'));
  expect(dependsOn('u2_update')).toContain(address('u1_update'));
  expect(dependsOn('u1_update')).not.toContain(address('u2_update'));
  expect(dependsOn('other_install')).not.toEqual(expect.arrayContaining([address('first_install')]));
  expect(dependsOn('other_install')).not.toContain(address('second_install'));
  expect(dependsOn('u3_update')).not.toContain(address('u2_update'));
  expect(dependsOn('u3_update')).not.toContain(address('u1_update'));
});

test('the host prune removes jail datasets of this ownership scope (compared exactly) that are not in the app, once the claim is checked, before any jail step', () => {
  const { stack, jail } = jailStack();
  jail('keep1');
  const r = nullResources(stack, { withHostPrune: true }).find(isHostPruneStep)!;
  const p = createScript(r);
  // The claim is read from the helper step's id, before anything is pruned; jails before switches.
  expect(p).toMatch(/"\$cfj" claim-check 'stack' '\$\{null_resource\.host_helper_resource_[0-9A-F]+\.id\}'/);
  expect(p).toContain(`"$cfj" jail-prune 'stack' 'zroot/vm' '/vm' '/etc/jail.conf.d' 'stack:stack/keep1'\n`);
  expect(p.indexOf('claim-check')).toBeLessThan(p.indexOf('jail-prune'));
  expect(p.indexOf('jail-prune')).toBeLessThan(p.indexOf('vnet-prune'));
  // A new jail may reuse a removed one's name or address: its dataset step runs after the prune.
  const dataset = nullResources(stack).find((x) => x.name.startsWith('keep1_dataset'))!;
  expect(dataset.depends_on).toContain(`null_resource.${r.name}`);
  // The helper's action: the jail role, an owner of the scope (exactly) that is not kept.
  // (each_pruned_jail, which the limits and ZFS properties prunes share; its effect: test/e2e/scenarios-prune.test.ts)
  expect(HOST_HELPER_PROGRAM).toContain('each_pruned_jail "$jp_scope" "$jp_root" "$REMOVAL_PROPERTY" _jail_prune_one "$@"');
  expect(HOST_HELPER_PROGRAM).toContain('zfs list -H -o name,"$OWNER_PROPERTY","$ROLE_PROPERTY","$JAIL_NAME_PROPERTY","$ej_prop" -r -d 1 -t filesystem "$ej_root"');
  expect(HOST_HELPER_PROGRAM).toContain('[ "$ej_role" = "$JAIL_ROLE" ] || continue\n    owner_pruned "$ej_scope" "$ej_owner" "$@" || continue');
});

test('removing the JailHost with its jails from the app still prunes them: the host prune keeps no jail', () => {
  const stack = new TerraformStack(require('cdktf').Testing.app(), 'gone');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.1', release: FreeBsdRelease.of('14.3') });
  new HostSettings(stack, 'settings', { host, rcConf: { sshd_enable: 'YES' } });
  const r = nullResources(stack, { withHostPrune: true }).find(isHostPruneStep)!;
  expect(createScript(r)).toContain(`"$cfj" jail-prune 'gone' 'zroot/vm' '/vm' '/etc/jail.conf.d'\n`);
});

test('escape hatch, exec hooks with +=, depend, mounts and devfs_ruleset render as jail.conf(5) reads them', () => {
  const { stack, jail } = jailStack();
  const db = jail('db');
  const app = jail('app', {
    depend: [db],
    devfsRuleset: JailDevfsRuleset.fromNumber(10),
    mountDevfs: true,
    allow: { chflags: false, mountNullfs: true },
    mounts: [{ device: 'tmpfs', jailPath: '/tmp', type: 'tmpfs', options: 'rw,size=64m' }],
    exec: { start: ['/usr/local/bin/app start'], poststop: ['/bin/echo "stopped $name"'] },
    parameters: [JailParameter.set('enforce_statfs', '1'), JailParameter.flag('persist', true), JailParameter.append('exec.prestart', 'logger $name \\$HOME')],
  });
  const p = effectiveParameters(parseJailConf(app.confText), 'app');
  // Per-jail files: jail(8) would not find db from app.conf; Terraform orders the steps instead.
  expect(p.depend).toBeUndefined();
  expect(app.confText).not.toMatch(/depend/);
  expect(p.devfs_ruleset).toEqual(['10']);
  expect(p['allow.nochflags']).toBe(true);
  expect(p['allow.mount.nullfs']).toBe(true);
  expect(p.mount).toEqual(['tmpfs /vm/app/tmp tmpfs rw,size=64m 0 0']);
  expect(p['exec.start']).toEqual(['/bin/sh /etc/rc', '/usr/local/bin/app start']);
  expect(p['exec.poststop']).toEqual([RESOLV_CONF_POSTSTOP.replace(/\$path/g, '/vm/app'), '/bin/echo "stopped app"']);
  expect(p['exec.prestart']).toEqual([RESOLV_CONF_PRESTART.replace(/\$path/g, '/vm/app').replace(/\$name/g, 'app'), 'logger app $HOME']);
  expect(p.enforce_statfs).toEqual(['1']);
  expect(p.persist).toBe(true);
  // Not in the file, but in the order: app's configuration after db's.
  expect(nullResources(stack).find((x) => x.name.startsWith('app_config'))!.depends_on).toContain(`null_resource.${db.configStep.nullResource.friendlyUniqueId}`);
});

test('depend: written in a shared /etc/jail.conf (13.x), not in per-jail files; the config steps are ordered either way', () => {
  for (const [release, written] of [['13.5', true], ['14.3', false]] as const) {
    const { stack, jail } = jailStack({ release: FreeBsdRelease.of(release) });
    const db = jail('db');
    const app = jail('app', { depend: [db] });
    const p = effectiveParameters(parseJailConf(app.confText), 'app');
    expect(p.depend).toEqual(written ? ['db'] : undefined);
    const r = nullResources(stack).find((x) => x.name.startsWith('app_config'))!;
    expect(JSON.stringify(r.depends_on)).toContain('db_config');
  }
});

describe('all scripts of a rich configuration pass sh -n and shellcheck', () => {
  const { stack, jail, template } = jailStack({ user: 'deploy' });
  const h = jail('h1', { nullfsMounts: [{ hostPath: '/usr/ports', jailPath: '/usr/ports' }], exec: { start: ['echo "$name" \\$x'] } });
  jail('h2', { method: JailCreationMethod.SEND_RECEIVE, removalPolicy: JailRemovalPolicy.DESTROY, start: false });
  new JailPackages(stack, 'pkgs', { jail: h, packages: ['git-lite', 'vim-console'], update: true, upgrade: true });
  new JailPackages(stack, 'offline', { jail: h, packages: ['wireguard'], offline: true });
  new JailUpdate(stack, 'update', { jail: h });
  new JailUpdate(stack, 'upgrade', { jail: h, targetRelease: FreeBsdRelease.V15_0, runId: '2026-11-01' });
  void template;
  const old = jailStack({ release: FreeBsdRelease.of('13.5') });
  old.jail('legacy');
  const scripts = [...allScripts(stack), ...allScripts(old.stack)];
  const dir = tempDir();
  const files = scripts.map((s, i) => {
    const file = path.join(dir, `s${i}.sh`);
    fs.writeFileSync(file, s.text);
    return { ...s, file };
  });

  test.each(files.map((f) => [f.name, f.file]))('%s: sh -n', (_n, file) => {
    expect(spawnSync('/bin/sh', ['-n', file], { encoding: 'utf8' }).status).toBe(0);
  });

  (haveCommand('shellcheck') ? test : test.skip)('shellcheck -s sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', ...files.map((f) => f.file)], { encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean).map((l) => files.reduce((acc, f) => acc.replace(f.file, f.name), l))).toEqual([]);
  });

  test('packages and updates are applied again to a recreated dataset; pkg never prompts', () => {
    const resources = nullResources(stack);
    for (const prefix of ['pkgs_install', 'offline_install', 'update_resource', 'upgrade_update']) {
      const r = resources.find((x) => x.name.startsWith(prefix));
      if (!r) throw new Error(`no ${prefix} in ${resources.map((x) => x.name).join(' ')}`);
      expect(r.triggers.input_dataset).toBe(h.datasetStep.contentHash);
    }
    expect(resources.find((x) => x.name.startsWith('upgrade_update'))!.triggers.input_run_id).toBe('2026-11-01');
    for (const prefix of ['pkgs', 'offline']) {
      const s = script(stack, prefix);
      // Every pkg run that could ask something runs without a terminal, bounded in time.
      const asking = s.split('\n').filter((l) => /\bpkg (-j \S+ |-o \S+ )*(install|update|upgrade|fetch|add)\b/.test(l) && !/^\s*(echo|#)/.test(l));
      expect(asking.length).toBeGreaterThan(0);
      expect(asking.filter((l) => !/^\s*"\$cfj" no-tty 1800 pkg /.test(l))).toEqual([]);
      expect(s.indexOf('export ASSUME_ALWAYS_YES=yes')).toBeGreaterThan(-1);
      expect(s.indexOf('export ASSUME_ALWAYS_YES=yes')).toBeLessThan(s.search(/\n\s*pkg /));
    }
  });

  test('offline packages: fetched on the host for the jail\'s ABI with a catalogue of its own under the directory\'s lock, nullfs-mounted read-only, found by pkg query -F, pkg add from the mount', () => {
    const s = script(stack, 'offline');
    expect(s).toContain('pkg_rel=$(/vm/h1/bin/freebsd-version -u)');
    expect(s).toContain('pkg_repo=/var/cache/cdktf-freebsd-jails/pkg/"$pkg_abi"');
    // One step of the directory at a time, the whole fetch and the versions resolved from it.
    expect(s).toContain(`pkg_files=$(\n  # shellcheck disable=SC2016 # the program text is literal; its values arrive as $1, $2, ...\n  lockf -k -t 1800 /var/run/cdktf-freebsd-jails.var_cache_cdktf-freebsd-jails_pkg.lock /bin/sh -c '${OFFLINE_FETCH_PROGRAM.replace(/'/g, "'\\''")}' sh "$cfj" "$pkg_abi" "$pkg_osversion" "$pkg_repo" "$pkg_db" $missing\n)\n`);
    expect(OFFLINE_FETCH_PROGRAM).toContain('"$cfj" no-tty 1800 pkg -o ABI="$abi" -o OSVERSION="$osversion" -o PKG_DBDIR="$db" fetch -d -y -o "$repo" "$@" >&2\n');
    expect(OFFLINE_FETCH_PROGRAM).toContain('pkg query -F "$f" \'%n-%v\'');
    // Nothing shared is written: the list is the run's own (no index file in the directory).
    expect(s).not.toMatch(/> *"\$pkg_db\/files"/);
    expect(s).not.toContain('All/*.pkg');
    expect(s).toContain('mount -t nullfs -o ro "$pkg_repo" /vm/h1/mnt');
    expect(s).toContain("trap 'umount /vm/h1/mnt' EXIT");
    expect(s).toContain('printf \'%s\\n\' "$pkg_files" | while read -r p file; do\n');
    expect(s).toContain('"$cfj" no-tty 1800 pkg -j h1 add /mnt/"$file"\n');
  });

  test('update: the jail release, not the host one; work directory outside the jail; upgrade installs until nothing is pending (at most 4 runs)', () => {
    const u = script(stack, 'update');
    expect(u).toContain('fu_running=$("$fu_base/bin/freebsd-version" -u)');
    expect(u).toContain('fu_base=/vm/h1\nfu_work=/var/db/cdktf-freebsd-jails/freebsd-update/vm/h1\n');
    // Without a terminal (the helper's no-tty: stdin /dev/null, no /dev/tty), bounded, no pager.
    expect(u).toContain('"$cfj" no-tty 3600 env PAGER=cat freebsd-update --not-running-from-cron -f "$fu_work/freebsd-update.conf" -b "$fu_base" -d "$fu_work" --currently-running "$fu_running" "$@" >"$fu_work/run.log" 2>&1 || fu_status=$?');
    expect(u).not.toContain('/vm/h1/var/db/freebsd-update');
    expect(u).toContain('fu fetch\n');
    const g = script(stack, 'upgrade');
    expect(g).toContain('  fu -r 15.0-RELEASE upgrade\n');
    expect(g).toContain('if grep -q \'No updates are available to install.\' "$fu_work/run.log"; then break; fi');
    expect(g).toContain('if [ "$fu_n" -ge 4 ]; then');
    expect(g.indexOf('upgrade\n')).toBeLessThan(g.indexOf('  fu install\n'));
    // Restarted as boot starts it (service jail restart h1, through the helper).
    expect(g).toContain(`"$cfj" jail-restart 'h1'`);
  });

  test('a jail with start: false is not started', () => {
    expect(script(stack, 'h2_config')).not.toContain('jail-start');
    expect(script(stack, 'h1_config')).toContain(`"$cfj" jail-start 'h1'`);
  });
});

describe('unmounting under the jail root', () => {
  test('only what is strictly below the root is unmounted, never the jail dataset itself', () => {
    const fake = [
      'mount() { printf \'zroot/vm/h1\\t/vm/h1\\tzfs\\trw\\t0 0\\n/srv\\t/vm/h1/srv\\tnullfs\\tro\\t0 0\\ndevfs\\t/vm/h1/dev\\tdevfs\\trw\\t0 0\\n/x\\t/vm/h10\\tnullfs\\tro\\t0 0\\n\'; }',
      'umount() { echo "umount $*"; }',
    ];
    const r = runWithHelper([...fake, 'unmount_under /vm/h1'].join('\n'));
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('umount'))).toEqual(['umount -f /vm/h1/srv', 'umount -f /vm/h1/dev']);
  });

  test('the configuration create mounts the jail dataset before any mkdir or jail -c', () => {
    const { stack, jail } = jailStack();
    jail('web', { addresses: [JailAddress.onInterface('lo1', '127.1.1.9/32')], nullfsMounts: [{ hostPath: '/srv', jailPath: '/srv' }] });
    const c = script(stack, 'web_config');
    // dataset-mounted: at its mountpoint (refused otherwise) and mounted.
    const mountAt = c.indexOf(`"$cfj" dataset-mounted 'zroot/vm/web' '/vm/web'`);
    expect(mountAt).toBeGreaterThan(-1);
    expect(mountAt).toBeLessThan(c.indexOf('mkdir'));
    expect(mountAt).toBeLessThan(c.indexOf('jail-start'));
    const d = script(stack, 'web_config', 'destroy');
    // jail-teardown unmounts under its PATH argument with unmount_under (tested above).
    expect(d).toContain('"$cfj" jail-teardown web /etc/jail.conf.d/web.conf /vm/web ');
    expect(HOST_HELPER_PROGRAM).toMatch(/^do_jail_teardown\(\) \{\n(?: .*\n)*  unmount_under "\$path"\n/m);
  });
});

describe('jail host settings', () => {
  const undo = (ifconfigOutput: string) => {
    const dir = tempDir();
    const state = path.join(dir, 'state', 'host');
    fs.mkdirSync(path.dirname(state));
    fs.writeFileSync(state, 'interface lo1\n');
    const fake = [
      `ifconfig() { if [ "$#" = 1 ]; then printf '%b' ${JSON.stringify(ifconfigOutput)}; else echo "ifconfig $*"; fi; }`,
      'sysrc() { :; }',
    ].join('\n');
    return runWithHelper(`${fake}\n_settings_undo "$1"`, [state]);
  };

  test('undo destroys a created interface without addresses', () => {
    const r = undo('lo1: flags=8008<LOOPBACK,MULTICAST> metric 0 mtu 16384\n\tinet6 fe80::1%lo1 prefixlen 64 scopeid 0x3\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ifconfig lo1 destroy');
  });

  test('undo keeps an interface that still has addresses (jails use it)', () => {
    for (const a of ['\tinet 127.1.1.9 netmask 0xffffffff\n', '\tinet6 fd00::9 prefixlen 128\n']) {
      const r = undo(`lo1: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384\n${a}`);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain('destroy');
      expect(r.stderr).toContain('keeping interface lo1');
    }
  });

  test('the step does not name the host address: a changed address string does not replace it', () => {
    const a = jailStack({ address: '192.0.2.10' });
    const b = jailStack({ address: 'jails.example.org' });
    expect(a.jailHost.step.contentHash).toBe(b.jailHost.step.contentHash);
  });
});

describe('resolv.conf hooks (host side, through /bin/sh -c as jail(8) runs them)', () => {
  const run = (hook: string, setup: (root: string, outside: string) => void) => runJailHook((root, dir) => {
    fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 192.0.2.53\n');
    return hook.replace('/bin/cp /etc/resolv.conf', `/bin/cp ${path.join(dir, 'resolv.conf')}`).replace(/\$path/g, root).replace(/\$name/g, 'web');
  }, setup);

  test('prestart copies into etc/resolv.conf', () => {
    const { r, root } = run(RESOLV_CONF_PRESTART, (j) => fs.mkdirSync(path.join(j, 'etc')));
    expect(r.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'etc/resolv.conf'), 'utf8')).toBe('nameserver 192.0.2.53\n');
  });

  test('prestart refuses a symlinked etc or resolv.conf and writes nothing outside', () => {
    for (const plant of [
      (j: string, o: string) => fs.symlinkSync(o, path.join(j, 'etc')),
      (j: string, o: string) => { fs.mkdirSync(path.join(j, 'etc')); fs.symlinkSync(path.join(o, 'victim'), path.join(j, 'etc/resolv.conf')); },
    ]) {
      const { r, outside } = run(RESOLV_CONF_PRESTART, plant);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('symbolic link; refusing');
      expect(fs.readdirSync(outside)).toEqual([]);
    }
  });

  test('poststop removes the file, never through a symlinked etc, and never fails', () => {
    let t = run(RESOLV_CONF_POSTSTOP, (j) => { fs.mkdirSync(path.join(j, 'etc')); fs.writeFileSync(path.join(j, 'etc/resolv.conf'), 'x'); });
    expect(t.r.status).toBe(0);
    expect(fs.existsSync(path.join(t.root, 'etc/resolv.conf'))).toBe(false);
    t = run(RESOLV_CONF_POSTSTOP, (j, o) => { fs.writeFileSync(path.join(o, 'resolv.conf'), 'host'); fs.symlinkSync(o, path.join(j, 'etc')); });
    expect(t.r.status).toBe(0);
    expect(fs.readFileSync(path.join(t.outside, 'resolv.conf'), 'utf8')).toBe('host');
    t = run(RESOLV_CONF_POSTSTOP, (j, o) => { fs.mkdirSync(path.join(j, 'etc')); fs.writeFileSync(path.join(o, 'victim'), 'host'); fs.symlinkSync(path.join(o, 'victim'), path.join(j, 'etc/resolv.conf')); });
    expect(t.r.status).toBe(0);
    expect(fs.readFileSync(path.join(t.outside, 'victim'), 'utf8')).toBe('host');
    expect(fs.existsSync(path.join(t.root, 'etc/resolv.conf'))).toBe(false);
    t = run(RESOLV_CONF_POSTSTOP, () => undefined);
    expect(t.r.status).toBe(0);
  });
});
