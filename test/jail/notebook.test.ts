/**
 * The notebook's aliased jails as code: each rendered jail block, parsed back, has exactly
 * the parameters of the notebook's /etc/jail.conf (after its wildcard defaults apply), apart
 * from the documented deviations below.
 */
import { Testing } from 'cdktf';
import { NotebookStack } from '../../examples/notebook/main';
import { allStrings, createScript, isHostPruneStep, nullResources } from '../support/synth';
import { effectiveParameters, parseJailConf } from './jailconf-parser';
import { HOST_HELPER_PROGRAM } from '../../lib/shell';

/** "System Jail Configuration" of the notebook, verbatim. */
const NOTEBOOK_JAIL_CONF = `
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown";
exec.clean;
mount.devfs;

host.hostname = $name;
path = "/vm/$name";
exec.consolelog = "/var/log/jail_\${name}_console.log";
exec.prestart = "cp /etc/resolv.conf $path/etc";
exec.poststop = "rm $path/etc/resolv.conf";

# nullfs mount
h1 {
        ip4.addr = "lo1|127.1.1.1/32";
        ip6.addr = "lo1|fd00:1:1:1::1/64";
        allow.chflags;
        allow.raw_sockets;
        mount.fstab = "/vm/\${name}.fstab";
}

# WINE (sysvsem)
h2 {
        ip4.addr = "lo1|127.1.1.2/32";
        ip6.addr = "lo1|fd00:1:1:1::2/64";
        allow.chflags;
        allow.raw_sockets;
        sysvsem = "new";
}

# PostgreSQL (sysvsem, sysvshm)
h3 {
        ip4.addr = "lo1|127.1.1.3/32";
        ip6.addr = "lo1|fd00:1:1:1::3/64";
        allow.chflags;
        allow.raw_sockets;
        sysvsem = "new";
        sysvshm = "new";
}

# Java (fdescfs, procfs)
h4 {
        ip4.addr = "lo1|127.1.1.4/32";
        ip6.addr = "lo1|fd00:1:1:1::4/64";
        allow.chflags;
        allow.raw_sockets;
        mount.fdescfs;
        mount.procfs;
}
`;

/**
 * Deliberate differences: exec.clean leaves PATH=/bin:/usr/bin, so host hooks use absolute
 * commands; the hooks run as root on the host in a tree the jail's root controls, so the
 * prestart refuses (fails) when etc or etc/resolv.conf is a symbolic link and the poststop
 * removes nothing through a symlinked etc; rm -f and `exit 0` so that a stop never fails on
 * resolv.conf.
 */
const DEVIATIONS: Record<string, [string, string]> = {
  'exec.prestart': [
    'cp /etc/resolv.conf /vm/$J/etc',
    'if [ -L /vm/$J/etc ] || [ -L /vm/$J/etc/resolv.conf ]; then echo "jail $J: /vm/$J/etc or /vm/$J/etc/resolv.conf is a symbolic link; refusing to copy resolv.conf" >&2; exit 1; fi; /bin/cp /etc/resolv.conf /vm/$J/etc/resolv.conf',
  ],
  'exec.poststop': ['rm /vm/$J/etc/resolv.conf', 'if [ ! -L /vm/$J/etc ]; then /bin/rm -f /vm/$J/etc/resolv.conf; fi; exit 0'],
};

const stack = new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10' });
const resources = nullResources(stack);
const notebook = parseJailConf(NOTEBOOK_JAIL_CONF);

describe.each(['h1', 'h2', 'h3', 'h4'])('jail %s', (name) => {
  const jail = stack.jails.find((j) => j.name === name)!;
  const ours = effectiveParameters(parseJailConf(jail.confText), name);
  const expected = effectiveParameters(notebook, name);

  test('has exactly the notebook parameters, value by value', () => {
    expect(Object.keys(ours).sort()).toEqual(Object.keys(expected).sort());
    for (const [param, value] of Object.entries(expected)) {
      const deviation = DEVIATIONS[param];
      if (deviation) {
        expect(value).toEqual([deviation[0].split('$J').join(name)]);
        expect(ours[param]).toEqual([deviation[1].split('$J').join(name)]);
      } else {
        expect({ [param]: ours[param] }).toEqual({ [param]: value });
      }
    }
  });

  test('the conf file written on the host is that block, in /etc/jail.conf.d', () => {
    expect(jail.confFile).toBe(`/etc/jail.conf.d/${name}.conf`);
    const config = resources.find((r) => r.name.startsWith(`${name}_config`))!;
    expect(createScript(config)).toContain(jail.confText.split('\n').slice(2).join('\n'));
    // Started as boot starts it (service jail start NAME, through the host helper).
    expect(createScript(config)).toContain(`"$cfj" jail-start '${name}'`);
  });

  test('attributes name the things on the host', () => {
    expect(jail.datasetName).toBe(`zroot/vm/${name}`);
    expect(jail.path).toBe(`/vm/${name}`);
    expect(jail.addresses.map((a) => a.parameterValue)).toEqual(expected['ip4.addr'].toString().split(',').concat(expected['ip6.addr'] as string[]));
  });
});

test('h1 and h2 are clones, h3 and h4 are sent and received', () => {
  const dataset = (n: string) => createScript(resources.find((r) => r.name.startsWith(`${n}_dataset`))!);
  // The helper's jail-dataset-create clones or sends and receives (its text below).
  for (const n of ['h1', 'h2']) expect(dataset(n)).toContain(`"$cfj" jail-dataset-create 'zroot/vm/${n}' 'notebook:notebook/${n}' '${n}' 'zroot/vm/tmpl/14.5@p3' 'clone' `);
  for (const n of ['h3', 'h4']) expect(dataset(n)).toContain(`"$cfj" jail-dataset-create 'zroot/vm/${n}' 'notebook:notebook/${n}' '${n}' 'zroot/vm/tmpl/14.5@p3' 'send-receive' `);
  expect(HOST_HELPER_PROGRAM).toContain('clone) echo "==> cloning $snap to $ds"; zfs clone "$@" "$snap" "$ds" ;;');
  expect(HOST_HELPER_PROGRAM).toContain('zfs send "$snap" | zfs receive -u "$@" "$ds"');
});

test("h1's fstab is the notebook's /vm/h1.fstab", () => {
  const h1 = stack.jails[0];
  expect(h1.fstabFile).toBe('/vm/h1.fstab');
  const script = createScript(resources.find((r) => r.name.startsWith('h1_config'))!);
  expect(script).toContain('\n/usr/ports /vm/h1/usr/ports nullfs ro 0 0\n');
  expect(script).toContain('[ -d /vm/h1/usr ] || mkdir /vm/h1/usr\n');
  expect(script).toContain('[ -d /vm/h1/usr/ports ] || mkdir /vm/h1/usr/ports\n');
  expect(script).toContain("if [ -L /vm/h1/usr/ports ]; then echo 'error: /vm/h1/usr/ports is a symbolic link");
});

test('the hosts table holds the notebook entries, one managed block per jail', () => {
  const table = ['127.1.1.1 h1', '127.1.1.2 h2', '127.1.1.3 h3', '127.1.1.4 h4', 'fd00:1:1:1::1 h1', 'fd00:1:1:1::2 h2', 'fd00:1:1:1::3 h3', 'fd00:1:1:1::4 h4'];
  const lines = resources
    .filter((r) => r.name.includes('_config'))
    .flatMap((r) => [...createScript(r).matchAll(/"\$cfj" block '\/etc\/hosts' 'jail (h\d)' '([^']*)'/g)].flatMap((m) => m[2].split('\n')));
  expect(lines.sort()).toEqual(table.sort());
});

test('rc.conf: jail_enable, cloned_interfaces lo1 and jail_list for every jail', () => {
  const settings = createScript(resources.find((r) => r.name.startsWith('jails_settings'))!);
  // Host settings through the helper's settings-apply, recorded in the JailHost's state file.
  expect(settings).toContain(`"$cfj" settings-apply '${stack.jailHost.stateFile}' `);
  expect(stack.jailHost.stateFile).toMatch(/^\/var\/db\/cdktf-freebsd-jails\/settings\/[0-9a-f]{16}\.state$/);
  expect(settings).toContain("'rc' 'jail_enable' 'YES'");
  expect(settings).toContain("'interface' 'lo1' '-'");
  expect(settings).toContain(`'jail-conf-include' '/etc/jail.conf' '/etc/jail.conf.d/*.conf'`);
  for (const n of ['h1', 'h2', 'h3', 'h4']) {
    expect(createScript(resources.find((r) => r.name.startsWith(`${n}_config`))!)).toContain(`"$cfj" jail-list-add '${n}'`);
  }
});

test('packages git-lite and vim-console in h1, only the missing ones', () => {
  const script = createScript(resources.find((r) => r.name.startsWith('h1-packages'))!);
  expect(script).toContain("wanted='git-lite vim-console'");
  expect(script).toContain('pkg -j h1 info -e "$p"');
  expect(script).toContain('pkg -j h1 install -y $missing');
});

test('the host prune step knows every jail of the stack', () => {
  const prune = nullResources(stack, { withHostPrune: true }).find(isHostPruneStep)!;
  expect(createScript(prune)).toContain(`"$cfj" jail-prune 'notebook' 'zroot/vm' '/vm' '/etc/jail.conf.d' 'notebook:notebook/h1' 'notebook:notebook/h2' 'notebook:notebook/h3' 'notebook:notebook/h4'\n`);
  expect(allStrings(prune.depends_on)).toEqual([expect.stringContaining('host_helper')]);
});
