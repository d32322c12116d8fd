'use strict';
// ngctl(8) over a netgraph(4) model kept in the state (s.ng): nodes with ids, types,
// names and hooks (each hook knows its peer node and peer hook). Modelled node types:
// socket (ngctl's own node, alive for one invocation), ether (one per Ethernet-like
// interface once ng_ether is loaded; persistent, hooks upper/lower/orphan/divert),
// bridge (hooks linkN/uplinkN; goes away with its last hook), eiface (creates an
// interface ngethN; shutting it down destroys the interface, wherever it is).
// Errors are the kernel's errno as ngctl prints them ("ngctl: send msg: ...") with
// ngctl's exit statuses (64 usage, 71 error). FAKEBSD_JAIL gives a vnet jail's graph.
const fs = require('fs');
const { out, err, hostPath, readStdin, fail } = require('../lib/host');
const State = require('../lib/state');
const { lladdr } = require('./ifconfig');

const USAGE = 'usage: ngctl [-d] [-f file] [-n name] [command ...]';
const OK = 0, USE = 1, QUIT = 2, ERR = 3;
const NODELEN = 31, HOOKLEN = 31, TYPELEN = 31;

const ERRNO = {
  ENOENT: 'No such file or directory', EINVAL: 'Invalid argument', EEXIST: 'File exists',
  EADDRINUSE: 'Address already in use', EISCONN: 'Socket is already connected',
  ENOTCONN: 'Socket is not connected', EPFNOSUPPORT: 'Protocol family not supported',
  ENOSYS: 'Function not implemented', ELOOP: 'Too many levels of symbolic links',
};
class NgError extends Error {
  constructor(code) { super(ERRNO[code]); this.errno = code; }
}
const E = (code) => { throw new NgError(code); };
/** Something FreeBSD has that the fake does not model: ends the run with status 70. */
class NotModelled extends Error {}

// Interface kinds that get an ng_ether node (ether_ifattach callers).
const ETHER_KINDS = ['ether', 'epair', 'tap', 'vlan', 'bridge'];
// Real node types (modules ng_TYPE exist) the fake does not model.
const UNMODELLED_TYPES = ['async', 'atmllc', 'bpf', 'car', 'checksum', 'cisco', 'deflate', 'device', 'echo', 'etf',
  'frame_relay', 'gif', 'gif_demux', 'hole', 'hub', 'iface', 'ip_input', 'ipfw', 'ksocket', 'l2tp', 'lmi', 'macfilter',
  'mppc', 'nat', 'netflow', 'one2many', 'patch', 'pipe', 'ppp', 'pppoe', 'pptpgre', 'pred1', 'rfc1490', 'source',
  'split', 'sppp', 'tag', 'tcpmss', 'tee', 'tty', 'UI', 'vjc', 'vlan', 'vlan_rotate'];

// Control messages each type understands: name -> { cmd number, argument type, response type }.
const MSGS = {
  ether: {
    getifname: { cmd: 1, resp: 'string' }, getifindex: { cmd: 2, resp: 'int32' }, getenaddr: { cmd: 3, resp: 'enaddr' },
    setenaddr: { cmd: 4, arg: 'enaddr' }, getpromisc: { cmd: 5, resp: 'int32' }, setpromisc: { cmd: 6, arg: 'int32' },
    getautosrc: { cmd: 7, resp: 'int32' }, setautosrc: { cmd: 8, arg: 'int32' }, addmulti: { cmd: 9, arg: 'enaddr' },
    delmulti: { cmd: 10, arg: 'enaddr' }, detach: { cmd: 11 },
  },
  eiface: { getifname: { cmd: 1, resp: 'string' }, getifaddrs: { cmd: 2, unmodelled: true }, set: { cmd: 3, arg: 'enaddr' } },
  bridge: {
    setconfig: { cmd: 1, unmodelled: true }, getconfig: { cmd: 2, resp: 'struct' }, reset: { cmd: 3 },
    getstats: { cmd: 4, arg: 'int32', resp: 'struct' }, clrstats: { cmd: 5, arg: 'int32' },
    getclrstats: { cmd: 6, arg: 'int32', resp: 'struct' }, gettable: { cmd: 7, resp: 'struct' },
    setpersistent: { cmd: 8 }, movehost: { cmd: 9, unmodelled: true },
  },
  socket: {},
};
// ng_base's generic messages: every node accepts them (the fake does not model them through msg).
const GENERIC_MSGS = ['shutdown', 'mkpeer', 'connect', 'name', 'rmhook', 'nodeinfo', 'listhooks', 'listnames',
  'listnodes', 'listtypes', 'text_config', 'text_status', 'ascii2binary', 'binary2ascii'];

const hex8 = (id) => id.toString(16).padStart(8, '0');

/** The graph as one vnet (the host, or the vnet jail FAKEBSD_JAIL) sees it. */
class Graph {
  constructor(s, vnet) {
    this.s = s;
    this.vnet = vnet;
    if (!s.ng) s.ng = { nodes: {}, nextId: 1 };
    this.ng = s.ng;
  }

  nodes() {
    return Object.values(this.ng.nodes).filter((n) => (n.vnet || null) === this.vnet).sort((a, b) => a.id - b.id);
  }

  byName(name) { return this.nodes().find((n) => n.name === name); }

  byId(id) { const n = this.ng.nodes[id]; return n && (n.vnet || null) === this.vnet ? n : undefined; }

  hook(node, name) { return node.hooks.find((h) => h.name === name); }

  /** Make a node; ids are never reused, even when the node dies at once. */
  make(type, extra = {}) {
    const id = this.ng.nextId++;
    const node = { id, type, name: '', hooks: [], vnet: this.vnet, ...extra };
    this.ng.nodes[id] = node;
    return node;
  }

  /** ng_name2noderef: ".", "[id]" (hex), or a name. */
  lookup(here, name) {
    if (name === '.') return here;
    const id = decodeId(name);
    if (id) return this.byId(id);
    return this.byName(name);
  }

  /** ng_path2noderef: NODE:hook.hook..., or a relative hook path from here. */
  resolve(here, addr) {
    const colon = addr.indexOf(':');
    let nodename = null;
    let path = addr;
    if (colon >= 0) {
      nodename = addr.slice(0, colon);
      path = addr.slice(colon + 1);
      if (!nodename) E('EINVAL');
      if (nodename !== '.' && nodename.includes('.')) E('EINVAL');
    }
    if (path.includes(':') || path.includes('..')) E('EINVAL');
    path = path.replace(/^\./, '').replace(/\.$/, '');
    let node = nodename === null ? here : this.lookup(here, nodename);
    if (!node) E('ENOENT');
    if (!path) return node;
    for (const seg of path.split('.')) {
      const h = this.hook(node, seg);
      if (!h) E('ENOENT');
      node = this.ng.nodes[h.peer];
    }
    return node;
  }

  /** ng_name_node. */
  name(node, name) {
    name = name.slice(0, NODELEN);
    if (!name || /[.:]/.test(name) || decodeId(name)) E('EINVAL');
    if (this.lookup(node, name)) E('EADDRINUSE');
    node.name = name;
  }

  /** The type's newhook method, after ng_add_hook's generic check. */
  addHookCheck(node, name, peer) {
    if (this.hook(node, name)) E('EEXIST');
    switch (node.type) {
      case 'bridge': {
        const m = /^(up)?link(\d+)$/.exec(name);
        if (!m || String(Number(m[2])) !== m[2] || Number(m[2]) > 0xffffffff || (m[1] && m[2] === '0')) E('EINVAL');
        if (peer === node) E('ELOOP');
        return;
      }
      case 'eiface':
        if (name !== 'ether') E('EPFNOSUPPORT');
        return;
      case 'ether': {
        const slot = name === 'divert' ? 'lower' : name;
        if (!['upper', 'lower', 'orphan'].includes(slot)) E('EINVAL');
        const taken = node.hooks.some((h) => (h.name === 'divert' ? 'lower' : h.name) === slot);
        if (taken) E('EISCONN');
        return;
      }
      default:
        return; // socket: any hook
    }
  }

  /** ng_con_nodes: hook `name` on a to hook `name2` on b, checking both ends first. */
  connect(a, name, b, name2) {
    name = name.slice(0, HOOKLEN);
    name2 = name2.slice(0, HOOKLEN);
    this.addHookCheck(a, name, b);
    if (a === b && name === name2) E('EEXIST');
    this.addHookCheck(b, name2, a);
    a.hooks.push({ name, peer: b.id, peerHook: name2 });
    b.hooks.push({ name: name2, peer: a.id, peerHook: name });
  }

  /** Break the link at node's hook; both ends get their type's disconnect method. */
  cut(node, hookName) {
    const h = this.hook(node, hookName);
    if (!h) return;
    const peer = this.ng.nodes[h.peer];
    node.hooks = node.hooks.filter((x) => x !== h);
    if (peer) peer.hooks = peer.hooks.filter((x) => !(x.name === h.peerHook && x.peer === node.id));
    this.disconnected(node);
    if (peer && peer !== node) this.disconnected(peer);
  }

  disconnected(node) {
    if (node.dying || !this.ng.nodes[node.id] || node.hooks.length) return;
    if (node.type === 'bridge' && !node.persistent) this.remove(node);
    if (node.type === 'ether') node.promisc = 0; // ng_rmnode_self resets a persistent ether node
  }

  /** NGM_SHUTDOWN: cut every hook, then the type's shutdown method. */
  shutdown(node) {
    if (node.dying) return;
    node.dying = true;
    for (const h of [...node.hooks]) this.cut(node, h.name);
    delete node.dying;
    if (node.type === 'ether' && !node.reallyDie) { node.promisc = 0; return; } // persistent
    this.remove(node);
  }

  remove(node) {
    node.dying = true;
    for (const h of [...node.hooks]) this.cut(node, h.name);
    delete this.ng.nodes[node.id];
    if (node.type === 'eiface') {
      const name = ifaceOf(this.s, node.id);
      if (name) delete this.s.ifaces[name];
    }
  }

  /** Bring ether nodes in line with the interfaces, as ng_ether's attach/detach/rename would have. */
  syncEther() {
    const s = this.s;
    const running = new Set(Object.values(s.jails.running).map((j) => j.name));
    for (const n of Object.values(this.ng.nodes)) {
      if (n.vnet && !running.has(n.vnet)) { // the vnet died with its jail
        delete this.ng.nodes[n.id];
        if (n.type === 'eiface') { const i = ifaceOf(s, n.id); if (i) delete s.ifaces[i]; }
      }
    }
    if (!s.kld.includes('ng_ether')) return;
    for (const n of Object.values(this.ng.nodes)) {
      if (n.type !== 'ether') continue;
      const ifn = Object.keys(s.ifaces).find((k) => s.ifaces[k].ngEther === n.id);
      if (!ifn || (s.ifaces[ifn].vnet || null) !== (n.vnet || null)) {
        // Interface gone, or moved to another vnet (ether_reassign detaches the node there).
        const g = new Graph(s, n.vnet || null);
        n.reallyDie = true;
        g.shutdown(n);
        if (ifn) delete s.ifaces[ifn].ngEther;
        continue;
      }
      const want = ifn.replace(/[.:]/g, '_');
      if (n.name !== want && !Object.values(this.ng.nodes).some((x) => x.name === want && (x.vnet || null) === (n.vnet || null))) n.name = want;
    }
    for (const [ifn, ifc] of Object.entries(s.ifaces)) {
      if (!ETHER_KINDS.includes(ifc.kind) || (ifc.ngEther && this.ng.nodes[ifc.ngEther]) || ifc.ngEtherDetached) continue;
      const g = new Graph(s, ifc.vnet || null);
      const name = ifn.replace(/[.:]/g, '_');
      if (g.byName(name)) continue; // ng_ether_attach stays away from a name in use
      const node = g.make('ether', { promisc: 0, autosrc: 1 });
      node.name = name;
      ifc.ngEther = node.id;
    }
  }
}

/** ng_decodeidname: "[hex]" with a non-zero value, else 0. */
function decodeId(name) {
  const m = /^\[([0-9a-fA-F]+)\]$/.exec(name);
  if (!m) return 0;
  return parseInt(m[1], 16) || 0;
}

/** The interface (by its current name) behind an eiface node. */
function ifaceOf(s, id) {
  return Object.keys(s.ifaces).find((k) => s.ifaces[k].ngNode === id);
}

/** The interface behind an ether node. */
function etherIface(s, node) {
  return Object.keys(s.ifaces).find((k) => s.ifaces[k].ngEther === node.id);
}

// ---------------------------------------------------------------- construction

/** ng_make_node: the type's constructor (eiface makes its interface). Module autoload as the kernel does. */
function construct(g, type) {
  const s = g.s;
  type = type.slice(0, TYPELEN);
  if (type === 'bridge' || type === 'eiface') {
    if (!s.kld.includes(`ng_${type}`)) s.kld.push(`ng_${type}`);
  } else if (type === 'ether') {
    if (!s.kld.includes('ng_ether')) s.kld.push('ng_ether'); // loads, but nodes cannot be made by hand
    E('EINVAL');
  } else if (type === 'socket') {
    E('EINVAL');
  } else if (UNMODELLED_TYPES.includes(type)) {
    throw new NotModelled(`fakebsd: ngctl: node type ${type} is not modelled by the fake`);
  } else {
    E('ENOENT'); // kldload ng_TYPE: no such module
  }
  if (type === 'bridge') return g.make('bridge', { persistent: false });
  // eiface: the lowest free unit, the node named after the interface when it can be.
  const units = new Set(Object.values(g.ng.nodes).filter((n) => n.type === 'eiface' && (n.vnet || null) === g.vnet).map((n) => n.unit));
  let unit = 0;
  while (units.has(unit) || s.ifaces[`ngeth${unit}`]) unit++;
  const node = g.make('eiface', { unit });
  const ifname = `ngeth${unit}`;
  if (!g.byName(ifname)) node.name = ifname;
  const b = (x) => (x & 0xff).toString(16).padStart(2, '0');
  s.ifaces[ifname] = {
    inet: [], inet6: [], up: false, kind: 'eiface', vnet: g.vnet || undefined,
    ether: `58:9c:fc:10:${b(node.id >> 8)}:${b(node.id)}`, ngNode: node.id,
  };
  if (!g.vnet) delete s.ifaces[ifname].vnet;
  return node;
}

// ---------------------------------------------------------------- messages

function parseArg(type, text) {
  const word = text.trim().split(/\s+/)[0] || '';
  if (type === 'int32') {
    const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(word);
    if (!m) E('EINVAL');
    const v = (m[1] === '-' ? -1 : 1) * Number(m[2].toLowerCase().startsWith('0x') ? parseInt(m[2], 16) : /^0[0-7]+$/.test(m[2]) ? parseInt(m[2], 8) : Number(m[2]));
    if (v > 0x7fffffff || v < -0x80000000) E('EINVAL');
    return v;
  }
  if (type === 'enaddr') {
    if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(word)) E('EINVAL');
    return word.split(':').map((x) => x.toLowerCase().padStart(2, '0')).join(':');
  }
  return undefined;
}

const unparseStruct = (fields) => {
  const set = Object.entries(fields).filter(([, v]) => v !== 0);
  return set.length ? `{ ${set.map(([k, v]) => `${k}=${v}`).join(' ')} }` : '{}';
};
const ZERO_STATS = ['recvOctets', 'recvPackets', 'recvMulticasts', 'recvBroadcasts', 'recvUnknown', 'recvRunts',
  'recvInvalid', 'xmitOctets', 'xmitPackets', 'xmitMulticasts', 'xmitBroadcasts', 'loopDrops', 'loopDetects', 'memoryFailures'];

/** Deliver an ASCII control message; returns the response's ASCII arguments, or null for none. */
function deliver(g, node, cmdstr, argText) {
  const table = MSGS[node.type] || {};
  const def = table[cmdstr];
  if (!def) {
    if (GENERIC_MSGS.includes(cmdstr)) throw new NotModelled(`fakebsd: ngctl: msg ${cmdstr} is not modelled by the fake`);
    E('ENOSYS');
  }
  if (def.unmodelled) throw new NotModelled(`fakebsd: ngctl: msg ${cmdstr} to a ${node.type} node is not modelled by the fake`);
  const arg = def.arg ? parseArg(def.arg, argText) : undefined;
  const s = g.s;
  if (node.type === 'ether') {
    const ifn = etherIface(s, node);
    const ifc = s.ifaces[ifn];
    switch (cmdstr) {
      case 'getifname': return JSON.stringify(ifn);
      case 'getifindex': return String(Object.keys(s.ifaces).indexOf(ifn) + 1);
      case 'getenaddr': return lladdr(ifn, ifc);
      case 'setenaddr': ifc.ether = arg; return null;
      case 'getpromisc': return String(node.promisc || 0);
      case 'setpromisc': node.promisc = arg ? 1 : 0; return null;
      case 'getautosrc': return String(node.autosrc ? 1 : 0);
      case 'setautosrc': node.autosrc = arg ? 1 : 0; return null;
      case 'addmulti': case 'delmulti': return null;
      case 'detach': ifc.ngEtherDetached = true; delete ifc.ngEther; node.reallyDie = true; g.shutdown(node); return null;
      default: break;
    }
  }
  if (node.type === 'eiface') {
    const ifn = ifaceOf(s, node.id);
    if (cmdstr === 'getifname') return JSON.stringify(ifn);
    if (cmdstr === 'set') { s.ifaces[ifn].ether = arg; return null; }
  }
  if (node.type === 'bridge') {
    switch (cmdstr) {
      case 'getconfig': return unparseStruct({ debugLevel: 1, loopTimeout: 60, maxStaleness: 900, minStableAge: 1 });
      case 'reset': return null;
      case 'setpersistent': node.persistent = true; return null;
      case 'gettable': return '{}';
      case 'getstats': case 'clrstats': case 'getclrstats': {
        const hook = arg < 0 ? `uplink${-arg}` : `link${arg}`;
        if (!g.hook(node, hook)) E('ENOTCONN');
        return cmdstr === 'clrstats' ? null : unparseStruct(Object.fromEntries(ZERO_STATS.map((k) => [k, 0])));
      }
      default: break;
    }
  }
  return null;
}

// ---------------------------------------------------------------- commands

function showNode(g, node, withHooks) {
  out(`  Name: ${(node.name || '<unnamed>').padEnd(15)} Type: ${node.type.padEnd(15)} ID: ${hex8(node.id)}   Num hooks: ${node.hooks.length}\n`);
  if (!withHooks || !node.hooks.length) return;
  const row = (a, b, c, d, e) => `  ${a.padEnd(15)} ${b.padEnd(15)} ${c.padEnd(12)} ${d.padEnd(15)} ${e.padEnd(15)}\n`;
  out(row('Local hook', 'Peer name', 'Peer type', 'Peer ID', 'Peer hook'));
  out(row('----------', '---------', '---------', '-------', '---------'));
  // The kernel keeps hooks newest first.
  for (const h of [...node.hooks].reverse()) {
    const p = g.ng.nodes[h.peer];
    out(row(h.name, p.name || '<unnamed>', p.type, hex8(p.id), h.peerHook));
  }
}

/** getopt(3) for a command's own options (optind reset per command, as ngctl does). */
function opts(av, letters) {
  const set = new Set();
  let i = 1;
  for (; i < av.length; i++) {
    const a = av[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    for (const c of a.slice(1)) {
      if (!letters.includes(c)) { err(`ngctl: illegal option -- ${c}\n`); return null; }
      set.add(c);
    }
  }
  return { set, args: av.slice(i) };
}

function sendMsg(fn) {
  try {
    fn();
    return OK;
  } catch (e) {
    if (!(e instanceof NgError)) throw e;
    err(`ngctl: send msg: ${e.message}\n`);
    return ERR;
  }
}

const CMDS = [
  { name: 'config', usage: 'config <path> [arguments]', desc: 'get or set configuration of node at <path>', aliases: [], unmodelled: true },
  {
    name: 'connect', usage: 'connect [path] <relpath> <hook> <peerhook>', desc: 'Connects hook <peerhook> of the node at <relpath> to <hook>', aliases: ['join'],
    run(ctx, av) {
      if (av.length !== 4 && av.length !== 5) return USE;
      const [path, rel, hook, peerhook] = av.length === 5 ? av.slice(1) : ['.', ...av.slice(1)];
      return sendMsg(() => {
        const a = ctx.g.resolve(ctx.sock, path);
        const b = ctx.g.resolve(a, rel);
        ctx.g.connect(a, hook, b, peerhook);
      });
    },
  },
  { name: 'debug', usage: 'debug [level]', desc: 'Get/set debugging verbosity level', aliases: [], unmodelled: true },
  { name: 'dot', usage: 'dot [-c] [outputfile]', desc: 'Produce a GraphViz (.dot) of the entire netgraph.', aliases: [], unmodelled: true },
  {
    name: 'help', usage: 'help [command]', desc: 'Show command summary or get more help on a specific command', aliases: ['?'],
    run(ctx, av) {
      if (av.length <= 1) {
        out('Available commands:\n');
        for (const c of CMDS) out(`  ${c.name.padEnd(10)} ${c.desc}\n`);
        return OK;
      }
      const c = findCommand(av[1]);
      if (c) {
        out(`usage:    ${c.usage}\n`);
        if (c.aliases.length) out(`Aliases:  ${c.aliases.join(', ')}\n`);
        out(`Summary:  ${c.desc}\n`);
      }
      return OK;
    },
  },
  {
    name: 'list', usage: 'list [-ln]', desc: 'Show information about all nodes', aliases: ['ls'],
    run(ctx, av) {
      const o = opts(av, 'ln');
      if (!o || o.args.length) return USE;
      const named = o.set.has('n');
      const nodes = ctx.g.nodes().filter((n) => !named || n.name);
      out(`There are ${nodes.length} total ${named ? 'named ' : ''}nodes:\n`);
      for (const n of nodes) showNode(ctx.g, n, o.set.has('l'));
      return OK;
    },
  },
  {
    name: 'mkpeer', usage: 'mkpeer [path] <type> <hook> <peerhook>', desc: 'Create and connect a new node to the node at "path"', aliases: [],
    run(ctx, av) {
      if (av.length !== 4 && av.length !== 5) return USE;
      const [path, type, hook, peerhook] = av.length === 5 ? av.slice(1) : ['.', ...av.slice(1)];
      return sendMsg(() => {
        const a = ctx.g.resolve(ctx.sock, path);
        const b = construct(ctx.g, type);
        try {
          ctx.g.connect(a, hook, b, peerhook);
        } catch (e) {
          ctx.g.remove(b); // ng_mkpeer destroys the half-made node
          throw e;
        }
      });
    },
  },
  {
    name: 'msg', usage: 'msg path command [args ... ]', desc: 'Send a netgraph control message to the node at "path"', aliases: ['cmd'],
    run(ctx, av) {
      if (av.length < 3) return USE;
      const [, path, cmdstr, ...rest] = av;
      let node;
      let resp;
      const r = sendMsg(() => {
        node = ctx.g.resolve(ctx.sock, path);
        resp = deliver(ctx.g, node, cmdstr, rest.join(' '));
      });
      if (r !== OK) return r;
      if (resp !== null && resp !== undefined) {
        const def = MSGS[node.type][cmdstr];
        out(`Rec'd response "${cmdstr}" (${def.cmd}) from "[${node.id.toString(16)}]:":\nArgs:\t${resp}\n`);
      }
      return OK;
    },
  },
  {
    name: 'name', usage: 'name <path> <name>', desc: 'Assign name <name> to the node at <path>', aliases: [],
    run(ctx, av) {
      if (av.length !== 3) return USE;
      return sendMsg(() => ctx.g.name(ctx.g.resolve(ctx.sock, av[1]), av[2]));
    },
  },
  {
    name: 'read', usage: 'read <filename>', desc: 'Read and execute commands from a file', aliases: ['source', '.'],
    run(ctx, av) {
      if (av.length !== 2) return USE;
      let text;
      try {
        text = fs.readFileSync(hostPath(av[1]), 'utf8');
      } catch (e) {
        err(`ngctl: ${av[1]}: ${e.code === 'EISDIR' ? 'Is a directory' : ERRNO.ENOENT}\n`);
        return ERR;
      }
      return readFile(ctx, text);
    },
  },
  {
    name: 'rmhook', usage: 'rmhook [path] <hook>', desc: 'Disconnect hook "hook" of the node at "path"', aliases: ['disconnect'],
    run(ctx, av) {
      if (av.length !== 2 && av.length !== 3) return USE;
      const [path, hook] = av.length === 3 ? av.slice(1) : ['.', av[1]];
      return sendMsg(() => ctx.g.cut(ctx.g.resolve(ctx.sock, path), hook.slice(0, HOOKLEN)));
    },
  },
  {
    name: 'show', usage: 'show [-n] <path>', desc: 'Show information about the node at <path>', aliases: ['inquire', 'info'],
    run(ctx, av) {
      const o = opts(av, 'n');
      if (!o || o.args.length !== 1) return USE;
      let node;
      const r = sendMsg(() => { node = ctx.g.resolve(ctx.sock, o.args[0]); });
      if (r !== OK) return r;
      showNode(ctx.g, node, !o.set.has('n'));
      return OK;
    },
  },
  {
    name: 'shutdown', usage: 'shutdown <path>', desc: 'Shutdown the node at <path>', aliases: ['kill', 'rmnode'],
    run(ctx, av) {
      if (av.length !== 2) return USE;
      try {
        ctx.g.shutdown(ctx.g.resolve(ctx.sock, av[1]));
        return OK;
      } catch (e) {
        if (!(e instanceof NgError)) throw e;
        err(`ngctl: shutdown: ${e.message}\n`);
        return ERR;
      }
    },
  },
  { name: 'status', usage: 'status <path>', desc: 'Get human readable status information from the node at <path>', aliases: [], unmodelled: true },
  {
    name: 'types', usage: 'types', desc: 'Show information about all installed node types', aliases: [],
    run(ctx, av) {
      if (av.length !== 1) return USE;
      const loaded = ['socket', ...['ether', 'bridge', 'eiface'].filter((t) => ctx.g.s.kld.includes(`ng_${t}`))].reverse();
      out(`There are ${loaded.length} total types:\n`);
      out(`${'Type name'.padStart(15)}   Number of living nodes\n${'---------'.padStart(15)}   ----------------------\n`);
      for (const t of loaded) out(`${t.padStart(15)}   ${String(ctx.g.nodes().filter((n) => n.type === t).length).padStart(5)}\n`);
      return OK;
    },
  },
  { name: 'write', usage: 'write <path> <hook> <data>', desc: 'Send a data packet down the hook named by "hook".', aliases: [], unmodelled: true },
  { name: 'quit', usage: 'quit', desc: 'Exit program', aliases: ['exit'], run: () => QUIT },
];

/** MatchCommand/FindCommand: a prefix of the name, or of an alias; ambiguity is an error. */
function findCommand(word) {
  const lw = word.toLowerCase();
  const found = CMDS.filter((c) => (lw.length <= c.name.length && c.name.startsWith(lw)) || c.aliases.some((a) => a.length >= lw.length && a.startsWith(lw)));
  if (found.length > 1) { err(`ngctl: "${word}": ambiguous command\n`); return null; }
  if (!found.length) { err(`ngctl: "${word}": unknown command\n`); return null; }
  return found[0];
}

function doCommand(ctx, av) {
  if (!av.length || !av[0]) return OK;
  const c = findCommand(av[0]);
  if (!c) return ERR;
  if (c.unmodelled) throw new NotModelled(`fakebsd: ngctl: ${c.name} is not modelled by the fake`);
  const r = c.run(ctx, av);
  if (r === USE) err(`ngctl: usage: ${c.usage}\n`);
  return r;
}

/** ReadFile: one command a line, '#' lines skipped; the first failing line stops it. */
function readFile(ctx, text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('#')) continue;
    const r = doCommand(ctx, lines[i].split(/[ \t\r\n\v\f]+/).filter(Boolean));
    if (r !== OK) {
      err(`ngctl: line ${i + 1}: error in file\n`);
      return r;
    }
  }
  return OK;
}

function main(argv) {
  // main()'s getopt("df:n:")
  let file = null;
  let sockName = `ngctl${process.pid}`;
  let i = 0;
  const usage = (msg) => fail(64, (msg ? `ngctl: ${msg}\n` : '') + `ngctl: ${USAGE}`);
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === 'd') continue;
      if (c === 'f' || c === 'n') {
        let v = a.slice(j + 1);
        if (!v) {
          if (i + 1 >= argv.length) { err(`ngctl: option requires an argument -- ${c}\n`); usage(); }
          v = argv[++i];
        }
        if (c === 'f') {
          if (v === '-') file = readStdin().toString('utf8');
          else {
            try { file = fs.readFileSync(hostPath(v), 'utf8'); } catch { fail(66, `ngctl: ${v}: ${ERRNO.ENOENT}`); }
          }
        } else sockName = v.slice(0, NODELEN);
        break;
      }
      err(`ngctl: illegal option -- ${c}\n`);
      usage();
    }
  }
  const args = argv.slice(i);
  if (!args.length && file === null) {
    if (process.stdin.isTTY && process.stdout.isTTY) fail(70, 'fakebsd: interactive ngctl is not modelled by the fake');
    usage('no command specified');
  }
  const jail = process.env.FAKEBSD_JAIL || null;
  let notModelled = null;
  const rtn = State.update((s) => {
    if (jail) {
      const j = State.findJail(s, jail);
      if (!j || !j.vnet) fail(71, "ngctl: can't create node: Operation not permitted");
    }
    for (const m of ['netgraph', 'ng_socket']) if (!s.kld.includes(m)) s.kld.push(m); // NgMkSockNode loads them
    const g = new Graph(s, jail);
    g.syncEther();
    if (g.byName(sockName)) fail(71, `ngctl: can't create node: ${ERRNO.EADDRINUSE}`);
    const sock = g.make('socket');
    sock.name = sockName;
    const ctx = { g, sock };
    let r;
    try {
      r = args.length ? doCommand(ctx, args) : readFile(ctx, file);
    } catch (e) {
      if (!(e instanceof NotModelled)) throw e;
      notModelled = e.message;
      r = ERR;
    }
    // The socket node goes away with the process; its peers see the disconnect.
    if (g.ng.nodes[sock.id]) g.remove(sock);
    return r;
  });
  if (notModelled) fail(70, notModelled);
  return rtn === OK || rtn === QUIT ? 0 : rtn === USE ? 64 : 71;
}

module.exports = { main };
