'use strict';
// ifconfig(8) over the state's interface table: clone create/destroy (lo, epair,
// bridge, tap), inet/inet6 addresses with alias/-alias, up/down, -l, vnet moves.
// FAKEBSD_JAIL=name (set by jexec) shows that vnet jail's view.
// Cloning as sbin/ifconfig/ifclone.c and sys/net/if_clone.c do it: a clone keeps its cloner
// and unit (`cloner`, `unit`) through renames, so a renamed bridge0 still holds unit 0 and
// `destroy` works on the new name; the name is printed once, at the end, when it differs
// from the one given (create without a unit, epair's `a`, or `name`), as printifname does.
// epair(4) (sys/net/if_epair.c): `create` makes NNa and NNb, destroying either end destroys
// both. if_bridge(4) (sys/net/if_bridge.c bridge_ioctl_add/del, sbin/ifconfig/ifbridge.c):
// addm takes an Ethernet-like interface of the same vnet that is on no bridge (EEXIST if on
// this one, EBUSY on another, EINVAL for a loopback or a bridge), deletem a member; a member
// destroyed or moved to another vnet leaves its bridge (bridge_ifdetach).
// MTU (sbin/ifconfig/ifconfig.c setifmtu: a value that is no number is `VAL: invalid mtu`, exit 1;
// a refused SIOCSIFMTU is only a warning, exit 0): epair takes any (if_epair.c), ng_eiface 72 to
// ETHER_MAX_LEN_JUMBO (ng_eiface.h). if_bridge (if_bridge.c as stored, commit 0034838): the first
// member gives the bridge its MTU, a member of another MTU is EINVAL; the bridge's own MTU can
// be set only to one every member has, never under 576. (Later kernels may instead set the new
// member's MTU, D31288's era; the library sets it itself, so both pass.)
// Capabilities (sys/net/if.h IFCAP_*, sbin/ifconfig/ifconfig.c's cap table): a physical
// interface shows `options=HEX<NAMES>` and takes txcsum, txcsum6, tso, tso4, tso6, lro, rxcsum
// and their `-` forms (SIOCSIFCAP); a bridge member's LRO is turned off and its TSO/TXCSUM kept
// only when every member has them (if_bridge.c BRIDGE_IFCAPS_STRIP, BRIDGE_IFCAPS_MASK): the
// fake shows only what the library reads, the options line.
// FreeBSD 15 (net.link.bridge.member_ifaddrs, 0 by default since 15.0; D49995, bridge(4)): an
// interface with IPv4 or IPv6 addresses is no member (EINVAL), a member takes no address.
const { out, err, fail } = require('../lib/host');
const State = require('../lib/state');

const IFNAMSIZ = 16;
const CLONERS = /^(lo|epair|bridge|tap|tun|vlan|gif|ng|wg)(\d*)$/;

const visible = (ifc, jail) => (jail ? ifc.vnet === jail : !ifc.vnet);

/** IFCAP_* bits (sys/net/if.h) of the capabilities the fake knows, in ifconfig's order. */
const IFCAP = { RXCSUM: 0x1, TXCSUM: 0x2, VLAN_MTU: 0x8, VLAN_HWTAGGING: 0x10, JUMBO_MTU: 0x20, VLAN_HWCSUM: 0x80, TSO4: 0x100, TSO6: 0x200, LRO: 0x400, RXCSUM_IPV6: 0x200000, TXCSUM_IPV6: 0x400000 };
/** ifconfig's capability parameters: the bits each sets (`-NAME` clears them). */
const CAP_PARAMS = { rxcsum: ['RXCSUM'], txcsum: ['TXCSUM'], rxcsum6: ['RXCSUM_IPV6'], txcsum6: ['TXCSUM_IPV6'], tso: ['TSO4', 'TSO6'], tso4: ['TSO4'], tso6: ['TSO6'], lro: ['LRO'] };

/** The `options=` line of an interface with capabilities. */
function optionsLine(ifc) {
  const on = Object.keys(IFCAP).filter((c) => (ifc.caps || []).includes(c));
  if (on.length === 0) return null;
  return `\toptions=${on.reduce((n, c) => n + IFCAP[c], 0).toString(16)}<${on.join(',')}>`;
}

/** An interface's MTU: the one set, else its driver's default. */
const mtuOf = (ifc) => ifc.mtu ?? (ifc.kind === 'loopback' ? 16384 : 1500);

/** What SIOCSIFMTU accepts for an interface of this kind (null: EINVAL). */
function mtuAccepted(s, name, ifc, mtu) {
  if (ifc.kind === 'eiface') return mtu >= 72 && mtu <= 9018;
  if (ifc.cloner === 'bridge') return mtu >= 576 && (ifc.members || []).every((m) => s.ifaces[m] && mtuOf(s.ifaces[m]) === mtu);
  return mtu >= 72 && mtu <= 65535;
}

/** Bridge members may carry IP addresses: FreeBSD 15's net.link.bridge.member_ifaddrs (absent before: yes). */
function memberAddressesAllowed(s) {
  return require('./sysctl').value(s, 'net.link.bridge.member_ifaddrs') !== '0';
}

/** A unit is taken while a clone of it exists, whatever it is named now (if_clone's unit bitmap). */
function unitTaken(s, prefix, unit) {
  return Object.entries(s.ifaces).some(([n, i]) => (i.cloner ? i.cloner === prefix && i.unit === unit : n === `${prefix}${unit}` || n === `${prefix}${unit}a`));
}

function nextUnit(s, prefix) {
  for (let n = 0; ; n++) if (!unitTaken(s, prefix, n)) return n;
}

/** The bridge interface NAME is a member of, if any. */
function bridgeOf(s, name) {
  return Object.keys(s.ifaces).find((b) => (s.ifaces[b].members || []).includes(name));
}

/** NAME leaves its bridge (bridge_ifdetach: destroyed, or moved to another vnet). */
function leaveBridge(s, name) {
  const b = bridgeOf(s, name);
  if (b) s.ifaces[b].members = s.ifaces[b].members.filter((m) => m !== name);
  if (s.ifaces[name]) restoreCaps(s.ifaces[name]);
}

/** A member's capabilities as they were before it joined (bridge_delete_member: bif_savedcaps). */
function restoreCaps(ifc) {
  if (ifc.savedCaps) { ifc.caps = ifc.savedCaps; delete ifc.savedCaps; }
}

/** Interfaces that can be bridge members: Ethernet-like (IFT_ETHER, IFT_L2VLAN, IFT_GIF). */
const BRIDGEABLE = ['ether', 'epair', 'tap', 'vlan', 'gif', 'eiface'];

/** Add or remove an address; used by ifconfig and by jail(8) for ip4.addr/ip6.addr. */
function setAddr(ifc, family, addr, remove) {
  const list = ifc[family];
  const bare = (a) => a.split('/')[0];
  const i = list.findIndex((a) => bare(a) === bare(addr));
  if (remove) {
    if (i < 0) return 'Can\'t assign requested address';
    list.splice(i, 1);
  } else {
    const full = addr.includes('/') ? addr : `${addr}/${family === 'inet' ? 32 : 128}`;
    if (i >= 0) list[i] = full;
    else list.push(full);
  }
  return null;
}

function show(name, ifc) {
  const lines = [`${name}: flags=${ifc.up ? '8049<UP,LOOPBACK,RUNNING,MULTICAST>' : '8008<LOOPBACK,MULTICAST>'} metric 0 mtu ${mtuOf(ifc)}`];
  const opts = optionsLine(ifc);
  if (opts) lines.push(opts);
  for (const a of ifc.inet) {
    const [ip, len] = a.split('/');
    const mask = '0x' + (len === '0' ? 0 : (0xffffffff << (32 - Number(len))) >>> 0).toString(16).padStart(8, '0');
    lines.push(`\tinet ${ip} netmask ${mask}`);
  }
  for (const a of ifc.inet6) { const [ip, len] = a.split('/'); lines.push(`\tinet6 ${ip} prefixlen ${len}`); }
  if (ifc.members && ifc.members.length) for (const m of ifc.members) lines.push(`\tmember: ${m} flags=143<LEARNING,DISCOVER,AUTOEDGE,AUTOPTP>`);
  const mac = lladdr(name, ifc);
  if (mac) lines.push(`\tether ${mac}`);
  if (ifc.group) lines.push(`\tgroups: ${ifc.group}`);
  return lines.join('\n') + '\n';
}

/** An Ethernet interface's address: the one set (ether/lladdr, ng_eiface's own), else one made from its name. */
function lladdr(name, ifc) {
  if (!ifc) return null;
  if (ifc.ether) return ifc.ether;
  if (!['ether', 'epair', 'tap', 'bridge', 'vlan'].includes(ifc.kind)) return null;
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return ['00', '0c', '29', h >>> 16, h >>> 8, h].map((x) => (typeof x === 'string' ? x : (x & 0xff).toString(16).padStart(2, '0'))).join(':');
}

function main(argv) {
  const jail = process.env.FAKEBSD_JAIL || null;
  if (argv.length === 0) fail(1, 'usage: ifconfig [-j jail] [-f type:format] [-L] [-C] [-g groupname] interface address_family\n                [address [dest_address]] [parameters]');
  if (argv[0] === '-l') {
    const names = State.read((s) => Object.keys(s.ifaces).filter((n) => visible(s.ifaces[n], jail)));
    out(names.join(' ') + '\n');
    return 0;
  }
  if (argv[0] === '-a') {
    State.read((s) => Object.entries(s.ifaces).filter(([, i]) => visible(i, jail)).forEach(([n, i]) => out(show(n, i))));
    return 0;
  }
  if (argv[0].startsWith('-')) fail(1, `ifconfig: illegal option -- ${argv[0].slice(1, 2)}`);
  const [name, ...rest] = argv;
  if (name.length >= IFNAMSIZ) fail(1, `ifconfig: ${name}: name too long`);
  return State.update((s) => {
    if (rest[0] === 'create') {
      const m = CLONERS.exec(name);
      if (!m) fail(1, `ifconfig: SIOCIFCREATE2 (${name}): Invalid argument`);
      const prefix = m[1];
      const unit = m[2] === '' ? nextUnit(s, prefix) : Number(m[2]);
      if (unitTaken(s, prefix, unit)) fail(1, `ifconfig: SIOCIFCREATE2 (${name}): File exists`);
      const base = `${prefix}${unit}`;
      const made = prefix === 'epair' ? [`${base}a`, `${base}b`] : [base];
      for (const n of made) if (s.ifaces[n]) fail(1, `ifconfig: SIOCIFCREATE2 (${name}): File exists`);
      for (const n of made) {
        s.ifaces[n] = { inet: [], inet6: [], up: false, kind: prefix === 'lo' ? 'loopback' : prefix, group: prefix, members: [], cloner: prefix, unit };
        if (jail) s.ifaces[n].vnet = jail;
      }
      return applyParams(s, made[0], rest.slice(1), made[0] !== name);
    }
    const ifc = s.ifaces[name];
    if (!ifc || !visible(ifc, jail)) fail(1, `ifconfig: interface ${name} does not exist`);
    if (rest[0] === 'destroy') {
      // Only clones go (lo0, em0, ng_eiface's interfaces are no clones); an epair with its other end.
      if (!ifc.cloner || (ifc.cloner === 'lo' && ifc.unit === 0)) fail(1, `ifconfig: SIOCIFDESTROY: Invalid argument`);
      const gone = ifc.cloner === 'epair' ? Object.keys(s.ifaces).filter((n) => s.ifaces[n].cloner === 'epair' && s.ifaces[n].unit === ifc.unit) : [name];
      for (const n of gone) {
        for (const m of s.ifaces[n].members || []) if (s.ifaces[m]) restoreCaps(s.ifaces[m]);
        leaveBridge(s, n);
        delete s.ifaces[n];
      }
      return 0;
    }
    if (rest.length === 0) { out(show(name, ifc)); return 0; }
    return applyParams(s, name, rest);
  });
}

function applyParams(s, name, args, printName = false) {
  const ifc = s.ifaces[name];
  const jail = process.env.FAKEBSD_JAIL || null;
  let family = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'inet' || a === 'inet6') { family = a; continue; }
    if (a === 'up') { ifc.up = true; continue; }
    if (a === 'down') { ifc.up = false; continue; }
    if (a === 'alias' || a === 'add') continue;
    if (a === 'name') {
      // setifname: the rest of the command goes on under the new name; a bridge lists its member by it.
      const nn = args[++i];
      if (nn === undefined) fail(1, 'ifconfig: name: missing argument');
      if (nn.length >= IFNAMSIZ) fail(1, `ifconfig: ${nn}: name too long`);
      if (s.ifaces[nn]) fail(1, 'ifconfig: ioctl SIOCSIFNAME (set name): File exists');
      const b = bridgeOf(s, name);
      if (b) s.ifaces[b].members = s.ifaces[b].members.map((m) => (m === name ? nn : m));
      s.ifaces[nn] = ifc; delete s.ifaces[name];
      name = nn; printName = true;
      continue;
    }
    if (a === 'ether' || a === 'lladdr' || a === 'link') {
      // With an address: set it (Ethernet-like interfaces only); alone: the link-level view.
      const v = args[i + 1];
      if (v === undefined) { const mac = lladdr(name, ifc); out(show(name, ifc).split('\n').filter((l, k) => k === 0 || (mac && l === `\tether ${mac}`)).join('\n') + '\n'); return 0; }
      i++;
      if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(v)) fail(1, `ifconfig: malformed link-level address`);
      if (!lladdr(name, ifc)) fail(1, 'ifconfig: ioctl (SIOCSIFLLADDR): Invalid argument');
      ifc.ether = v.split(':').map((x) => x.toLowerCase().padStart(2, '0')).join(':');
      continue;
    }
    if (a === 'vnet' || a === '-vnet') {
      const j = args[++i];
      const jail = State.findJail(s, j);
      if (!jail) fail(1, `ifconfig: jail "${j}" not found`);
      // if_vmove_loan: a jail without its own vnet is this vnet (EEXIST); a member leaves its bridge.
      if (a === 'vnet' && !jail.vnet) fail(1, 'ifconfig: SIOCSIFVNET: File exists');
      if (a === 'vnet') leaveBridge(s, name);
      ifc.vnet = a === 'vnet' ? jail.name : null;
      continue;
    }
    if (a === 'addm' || a === 'deletem') {
      const m = args[++i];
      const op = a === 'addm' ? 'BRDGADD' : 'BRDGDEL';
      if (m === undefined) fail(1, `ifconfig: ${a}: missing argument`);
      if (ifc.cloner !== 'bridge') fail(1, `ifconfig: ${op} ${m}: Invalid argument`);
      const mi = s.ifaces[m];
      if (!mi || !visible(mi, jail)) fail(1, `ifconfig: ${op} ${m}: No such file or directory`);
      if (a === 'addm') {
        const on = bridgeOf(s, m);
        if (on === name) fail(1, `ifconfig: BRDGADD ${m}: File exists`);
        if (on) fail(1, `ifconfig: BRDGADD ${m}: Device busy`);
        if (mi === ifc || !BRIDGEABLE.includes(mi.kind)) fail(1, `ifconfig: BRDGADD ${m}: Invalid argument`);
        if (!memberAddressesAllowed(s) && (mi.inet.length || mi.inet6.length)) fail(1, `ifconfig: BRDGADD ${m}: Invalid argument`);
        if (ifc.members.length === 0) ifc.mtu = mtuOf(mi);
        else if (mtuOf(mi) !== mtuOf(ifc)) fail(1, `ifconfig: BRDGADD ${m}: Invalid argument`);
        ifc.members.push(m);
        // bridge_ioctl_add: capabilities saved, LRO stripped (BRIDGE_IFCAPS_STRIP).
        if (mi.caps) { mi.savedCaps = mi.caps; mi.caps = mi.caps.filter((c) => c !== 'LRO'); }
      } else {
        if (!ifc.members.includes(m)) fail(1, `ifconfig: BRDGDEL ${m}: No such file or directory`);
        ifc.members = ifc.members.filter((x) => x !== m);
        restoreCaps(mi);
      }
      continue;
    }
    if (a === 'mtu') {
      const v = args[++i];
      if (v === undefined) fail(1, 'ifconfig: mtu: missing argument');
      if (!/^\d+$/.test(v)) fail(1, `ifconfig: ${v}: invalid mtu`);
      if (mtuAccepted(s, name, ifc, Number(v))) ifc.mtu = Number(v);
      else err('ifconfig: SIOCSIFMTU: Invalid argument\n');
      continue;
    }
    const cap = CAP_PARAMS[a.replace(/^-/, '')];
    if (cap) {
      // Only what the hardware has can be turned on (if_capabilities); the fake's hardware is ifc.hwcaps.
      const hw = ifc.hwcaps || [];
      ifc.caps = a.startsWith('-') ? (ifc.caps || []).filter((c) => !cap.includes(c)) : [...new Set([...(ifc.caps || []), ...cap.filter((c) => hw.includes(c))])];
      continue;
    }
    if (a === 'netmask' || a === 'prefixlen' || a === 'description' || a === 'group') { i++; continue; }
    if (a === '-alias' || a === 'delete') continue;
    if (/^[0-9a-fA-F:.]+(\/\d+)?$/.test(a) && a.length > 1) {
      const fam = family || (a.includes(':') ? 'inet6' : 'inet');
      const remove = args.includes('-alias') || args.includes('delete');
      if (!remove && bridgeOf(s, name) && !memberAddressesAllowed(s)) fail(1, `ifconfig: ioctl (${fam === 'inet' ? 'SIOCAIFADDR' : 'SIOCAIFADDR_IN6'}): Invalid argument`);
      const e = setAddr(ifc, fam, a, remove);
      if (e) fail(1, `ifconfig: ioctl (SIOCDIFADDR): ${e}`);
      continue;
    }
    fail(1, `ifconfig: ${a}: bad value`);
  }
  if (printName) out(name + '\n');
  return 0;
}

module.exports = { main, setAddr, lladdr, IFNAMSIZ };
