'use strict';
// pfctl(8) over the fake's pf state (sbin/pfctl/pfctl.c for the options, parse.y through
// lib/pfrules.js for the files). Rules are kept per anchor ("" is the main ruleset), parsed,
// so lib/pfeval.js can say what they would do. A file with any error loads nothing
// ("pfctl: Syntax error in config file: pf rules not loaded"); -n parses only.
const fs = require('fs');
const { out, err, fail, hostPath } = require('../lib/host');
const { getopt } = require('../lib/getopt');
const State = require('../lib/state');
const { parseRuleset, emptyRuleset } = require('../lib/pfrules');

const USAGE = `usage: pfctl [-AdeghMmNnOPqRSrvz] [-a anchor] [-D macro=value] [-F modifier]
	[-f file] [-i interface] [-K host | network]
	[-k host | network | gateway | label | id] [-o level] [-p device]
	[-s modifier] [-t table -T command [address ...]] [-x level]`;

class PfError extends Error {}

/** An included file as pushfile() opens it (fopen: relative to pfctl's working directory); null when it cannot. */
function readIncluded(name) {
  const real = hostPath(name);
  try {
    return fs.statSync(real).isFile() ? fs.readFileSync(real, 'utf8') : null;
  } catch {
    return null;
  }
}

/** Parse a file as pfctl -f does; throws a PfError with every error line. Returns the ruleset. */
function parse(text, file, defines = {}, anchor = '') {
  const { errors, ruleset } = parseRuleset(text, file, { defines, anchor, include: readIncluded });
  if (errors.length) throw new PfError(errors.join('\n'));
  return ruleset;
}

/** The state record of a parsed ruleset: structured rules (with their text) and tables. */
const record = (rs) => ({ options: rs.options, scrub: rs.scrub, nat: rs.nat, rules: rs.rules, tables: rs.tables });

/** Every anchor a loaded file defines: itself, its inline anchors, its `load anchor` files. */
function loadsOf(rs, anchor, defines, seen = new Set()) {
  const res = [[anchor, rs]];
  for (const [name, sub] of Object.entries(rs.inline)) res.push(...loadsOf(sub, anchor ? `${anchor}/${name}` : name, defines, seen));
  for (const [a, f] of rs.loads) {
    if (seen.has(a)) continue;
    seen.add(a);
    if (!fs.existsSync(hostPath(f))) throw new PfError(`pfctl: ${f}: No such file or directory`);
    res.push(...loadsOf(parse(fs.readFileSync(hostPath(f), 'utf8'), f, defines, a), a, defines, seen));
  }
  return res;
}

function main(argv) {
  const g = getopt(argv, 'AdeghMmNnOPqRSrvza:D:F:f:i:K:k:o:p:s:t:T:x:', { prog: 'pfctl', usage: USAGE });
  if (g.args.length) fail(1, USAGE);
  const anchor = (g.get('a') || '').replace(/\/\*$/, '');
  const quiet = g.has('q');
  const defines = Object.fromEntries(g.all('D').map((d) => d.split('=')));
  let status = 0;
  if (anchor.startsWith('_') || anchor.includes('/_')) fail(1, "pfctl: anchor names beginning with '_' cannot be modified from the command line");
  // pfctl.c: flushes (-F) happen before a load (-f), so `pfctl -F all -f FILE` loads FILE.
  if (g.has('F')) {
    const what = g.get('F');
    if (!['all', 'rules', 'nat', 'Tables', 'states', 'info', 'Sources', 'queue', 'ethernet'].includes(what)) fail(1, `pfctl: Unknown flush modifier '${what}'\n${USAGE}`);
    State.update((s) => {
      const a = s.pf.anchors[anchor] || (s.pf.anchors[anchor] = record(emptyRuleset()));
      if (what === 'all' || what === 'rules') { a.rules = []; a.scrub = []; if (!quiet) err('rules cleared\n'); }
      if (what === 'all' || what === 'nat') { a.nat = []; if (!quiet) err('nat cleared\n'); }
      if (what === 'all' || what === 'Tables') { const n = Object.keys(a.tables || {}).length; a.tables = {}; if (!quiet) err(`${n} tables deleted.\n`); }
    });
  }
  if (g.has('f')) {
    const file = g.get('f');
    if (file !== '-' && !fs.existsSync(hostPath(file))) fail(1, `pfctl: ${file}: No such file or directory`);
    let loads;
    try {
      const rs = parse(fs.readFileSync(file === '-' ? 0 : hostPath(file), 'utf8'), file === '-' ? 'stdin' : file, defines, anchor);
      loads = loadsOf(rs, anchor, defines);
    } catch (e) {
      if (!(e instanceof PfError)) throw e;
      fail(1, `${e.message}\npfctl: Syntax error in config file: pf rules not loaded`);
    }
    if (g.has('v')) for (const [, rs] of loads) for (const r of [...rs.options, ...rs.scrub, ...rs.nat, ...rs.rules]) out(r.text + '\n');
    if (!g.has('n')) {
      State.update((s) => {
        for (const [a, rs] of loads) s.pf.anchors[a] = record(rs);
      });
    }
  }
  if (g.has('e')) {
    const was = State.update((s) => { const w = s.pf.enabled; if (!w) { s.pf.enabled = true; s.pf.since = true; } return w; });
    if (was) fail(1, 'pfctl: pf already enabled');
    if (!quiet) err('pf enabled\n');
  }
  if (g.has('d')) {
    const was = State.update((s) => { const w = s.pf.enabled; if (w) { s.pf.enabled = false; s.pf.since = true; } return w; });
    if (!was) fail(1, 'pfctl: pf not enabled');
    if (!quiet) err('pf disabled\n');
  }
  if (g.has('s')) {
    const what = g.get('s');
    State.read((s) => {
      const a = s.pf.anchors[anchor] || record(emptyRuleset());
      if (what === 'rules' || what === 'r') [...a.scrub, ...a.rules].forEach((r) => out(r.text + '\n'));
      else if (what === 'nat' || what === 'n') a.nat.forEach((r) => out(r.text + '\n'));
      else if (what === 'Anchors' || what === 'A') {
        // Children of the anchor: those loaded, and those the anchor's own rules name.
        const prefix = anchor ? anchor + '/' : '';
        const loaded = Object.keys(s.pf.anchors).filter((k) => k && k.startsWith(prefix) && (g.has('v') || !k.slice(prefix.length).includes('/')));
        const named = [...a.nat, ...a.rules].filter((r) => r.kind.endsWith('anchor') && r.name).map((r) => prefix + r.name.replace(/\/\*$/, ''));
        [...new Set([...named, ...loaded])].sort().forEach((n) => out(`  ${n}\n`));
      } else if (what === 'info' || what === 'i') {
        // pfctl_parser.c print_status: "Status: X" plus "for D days HH:MM:SS" once pf was started
        // or stopped (pf_ioctl.c DIOCSTART/DIOCSTOP set `since`), padded to 44, then %15s debug.
        // The state table and counters that follow are left out.
        const status = `Status: ${s.pf.enabled ? 'Enabled' : 'Disabled'}${s.pf.since ? ' for 0 days 00:00:00' : ''}`;
        out(`${status.padEnd(44)}${'Debug: Urgent'.padStart(15)}\n\n`);
      } else if (what === 'Tables' || what === 'T') Object.keys(a.tables || {}).sort().forEach((t) => out(t + '\n'));
      else { status = 1; err(`pfctl: Unknown show modifier '${what}'\n${USAGE}\n`); }
    });
  }
  return status;
}

module.exports = { main, parse, PfError };
