#!/usr/bin/env node
'use strict';
// Multi-call entry point: `fakebsd.js NAME args...` behaves as FreeBSD's NAME.
// Every invocation is appended to var/db/fakebsd/commands.log (one JSON object per
// line) and may be failed on purpose through var/db/fakebsd/faults.json.
const fs = require('fs');
const path = require('path');
const { Exit, err, dbDir, askOnTty } = require('./lib/host');
const faults = require('./lib/faults');

function logInvocation(name, argv, code) {
  if (process.env.FAKEBSD_NOLOG) return;
  const entry = { t: new Date().toISOString(), pid: process.pid, cmd: name, argv, cwd: process.cwd(), exit: code };
  if (process.env.FAKEBSD_JAIL) entry.jail = process.env.FAKEBSD_JAIL;
  // Started by another shim (service, jexec) without the host's wrapper, so without its hooks.
  if (process.env.FAKEBSD_NESTED_IN) entry.nestedIn = process.env.FAKEBSD_NESTED_IN;
  try {
    fs.mkdirSync(dbDir(), { recursive: true });
    fs.appendFileSync(dbDir('commands.log'), JSON.stringify(entry) + '\n');
  } catch { /* logging must never change the command's outcome */ }
}

function main() {
  const [name, ...argv] = process.argv.slice(2);
  let mod;
  if (!/^[a-z0-9-]+$/.test(name || '')) {
    err(`fakebsd: usage: fakebsd.js COMMAND [args...]\n`);
    return 127;
  }
  try {
    mod = require(path.join(__dirname, 'commands', `${name}.js`));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(`${name}.js`)) throw e;
    err(`fakebsd: unknown command '${name}'\n`);
    return 127;
  }
  let code;
  try {
    const injected = faults.check(name, argv);
    if (injected && !injected.prompt) throw new Exit(1, injected.message);
    if (injected && !askOnTty(name, `${injected.message}Proceed anyway (y/n)? `)) throw new Exit(1, '');
    code = (mod.main(argv) ?? 0);
  } catch (e) {
    if (e instanceof Exit) {
      if (e.message) err(e.message);
      code = e.code;
    } else {
      err(`fakebsd ${name}: internal error: ${e && e.stack ? e.stack : e}\n`);
      code = 70;
    }
  }
  logInvocation(name, argv, code);
  return code;
}

process.exitCode = main();
