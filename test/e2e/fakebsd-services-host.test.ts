/**
 * Services inside jails on the fake host the rig starts: a daemon started over SSH, as a
 * Terraform provisioner would, does not hold the session open, answers the host's fetch at
 * its jail's address, and lives in the host's pid namespace with the jails' network
 * namespace's keeper, so that stopping the host takes both down. Skipped where the rig
 * cannot run.
 */
import * as fs from 'fs';
import { fakeHostSkipReason, FakeHost, startFakeHost } from './host';

const skip = fakeHostSkipReason();
// eslint-disable-next-line no-console
if (skip) console.log(`SKIPPED fake host services: ${skip}`);
const describeRig = skip ? describe.skip : describe;

/** Processes (pids as this process sees them) in the pid namespace `ns` whose command line matches. */
function processesIn(ns: string, match: RegExp): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/pid`) !== ns) continue;
      if (match.test(fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '))) found.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return found;
}
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describeRig('jail services on the rig\'s fake host', () => {
  let host: FakeHost;
  afterAll(async () => { await host?.stop(); });

  test('a daemon started over SSH answers at its jail\'s address and dies with the host, with the network\'s keeper', async () => {
    host = await startFakeHost({
      seed: (h) => {
        h.writeFile('/etc/jail.conf', 'web { path = "/vm/web"; host.hostname = web; ip4.addr = "10.0.0.5"; }\n');
        h.writeFile('/vm/web/etc/defaults/rc.conf', 'rc_conf_files="/etc/rc.conf /etc/rc.conf.local"\n');
        h.writeFile('/vm/web/etc/resolv.conf', 'nameserver 192.0.2.1\n');
        h.writeFile('/vm/web/bin/freebsd-version', '#!/bin/sh\nUSERLAND_VERSION="14.3-RELEASE"\n', 0o555);
        h.writeFile('/vm/web/usr/local/www/site/index.html', 'hello from web\n');
      },
    });
    const setup = await host.ssh('jail -f /etc/jail.conf -c web && pkg -j web install -y nginx && sysrc -j web nginx_enable=YES');
    expect(setup.code).toBe(0);
    host.writeFile('/vm/web/usr/local/etc/nginx/nginx.conf', 'http {\n    server {\n        root /usr/local/www/site;\n    }\n}\n');
    const started = await host.ssh('service -j web nginx start');
    expect(started).toMatchObject({ code: 0, stdout: 'Starting nginx.\n' });
    expect(await host.ssh('fetch -q -o - -T 5 http://10.0.0.5/')).toMatchObject({ code: 0, stdout: 'hello from web\n' });
    expect(await host.ssh('nc -z -w 2 10.0.0.5 80')).toMatchObject({ code: 0, stderr: 'Connection to 10.0.0.5 80 port [tcp/http] succeeded!\n' });

    const pidns = fs.readlinkSync(`/proc/${host.pid}/ns/pid`);
    const daemons = processesIn(pidns, /servd\.js .*"name":"nginx"/);
    const keepers = processesIn(pidns, /^sleep infinity/);
    expect(daemons).toHaveLength(1);
    expect(keepers).toHaveLength(1);
    // The daemon listens in the keeper's network namespace, not in the host's (the machine's).
    expect(fs.readlinkSync(`/proc/${daemons[0]}/ns/net`)).toBe(fs.readlinkSync(`/proc/${keepers[0]}/ns/net`));
    expect(fs.readlinkSync(`/proc/${daemons[0]}/ns/net`)).not.toBe(fs.readlinkSync(`/proc/${host.pid}/ns/net`));

    await host.stop();
    expect([...daemons, ...keepers].filter(alive)).toEqual([]);
  }, 120_000);
});
