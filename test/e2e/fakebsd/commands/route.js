'use strict';
// route(8): add/delete/get of the default and host/net routes, per vnet jail.
const { out, fail } = require('../lib/host');
const State = require('../lib/state');

const USAGE = 'usage: route [-46dnqtv] command [[modifiers] args]';

function main(argv) {
  const args = argv.filter((a) => !['-n', '-q', '-4', '-6', '-v'].includes(a));
  if (args.some((a) => /^-[^0-9]/.test(a) && !['-net', '-host', '-inet', '-inet6', '-interface'].includes(a))) fail(64, USAGE);
  const [cmd, ...rest] = args;
  const scope = process.env.FAKEBSD_JAIL || '';
  const plain = rest.filter((a) => !a.startsWith('-'));
  const fam = rest.includes('-inet6') || (plain[1] || '').includes(':') ? 'inet6' : 'inet';
  const dst = plain[0];
  const quiet = argv.includes('-q');
  return State.update((s) => {
    const routes = (s.routes[scope] = s.routes[scope] || {});
    const key = `${fam} ${dst}`;
    switch (cmd) {
      case 'add': case 'change':
        if (!dst || !plain[1]) fail(64, USAGE);
        if (cmd === 'add' && routes[key]) fail(1, `route: message indicates error: File exists`);
        routes[key] = plain[1];
        if (!quiet) out(`${cmd} ${dst === 'default' ? 'net default' : `net ${dst}`}: gateway ${plain[1]}\n`);
        return 0;
      case 'delete':
        if (!routes[key]) fail(1, 'route: route has not been found\ndelete net ' + dst + ': not in table');
        if (!quiet) out(`delete net ${dst}: gateway ${routes[key]}\n`);
        delete routes[key];
        return 0;
      case 'get': case 'show':
        if (!routes[key]) fail(1, 'route: route has not been found');
        out(`   route to: ${dst}\ndestination: ${dst}\n    gateway: ${routes[key]}\n`);
        return 0;
      default: fail(64, USAGE);
    }
    return 0;
  });
}

module.exports = { main };
