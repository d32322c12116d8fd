/**
 * Users and sshd of the fake host, written into the overlay before sshd starts:
 * root with tcsh as login shell (FreeBSD before 14.0), a `deploy` user with passwordless
 * sudo, one authorized key for both, and an sshd config like a hardened FreeBSD host.
 */
import * as fs from 'fs';
import * as path from 'path';

export const SSHD_CONFIG = '/etc/ssh/fakehost_sshd_config';
export const HOST_KEY = '/etc/ssh/fakehost_host_ed25519_key';

export function sshdConfig(port: number): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${HOST_KEY}`,
    'PidFile /run/fakehost-sshd.pid',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes yes',
    // VERBOSE: one line per accepted connection and per session (the scenarios count them).
    'LogLevel VERBOSE',
    'PrintMotd no',
    'PrintLastLog no',
    'AuthorizedKeysFile .ssh/authorized_keys',
    // Terraform runs up to 10 provisioners at once, one connection each; a session per command.
    'MaxSessions 64',
    'MaxStartups 64:30:128',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string; shell: string }

function readPasswd(root: string): PasswdEntry[] {
  return fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8').split('\n').filter(Boolean).map((line) => {
    const f = line.split(':');
    return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6] };
  });
}

/** Rewrites one field of one user's line in a colon-separated file (passwd, shadow). */
function setField(file: string, user: string, index: number, value: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((line) => {
    const f = line.split(':');
    if (f[0] !== user) return line;
    f[index] = value;
    return f.join(':');
  });
  fs.writeFileSync(file, lines.join('\n'));
}

function addUser(root: string, name: string, shell: string): PasswdEntry {
  const existing = readPasswd(root).find((e) => e.name === name);
  if (existing) return existing;
  const used = new Set(readPasswd(root).map((e) => e.uid));
  let uid = 1500;
  while (used.has(uid) && uid < 60000) uid++;
  const entry = { name, uid, gid: uid, home: `/home/${name}`, shell };
  fs.appendFileSync(path.join(root, 'etc/passwd'), `${name}:x:${uid}:${uid}:${name}:${entry.home}:${shell}\n`);
  fs.appendFileSync(path.join(root, 'etc/group'), `${name}:x:${uid}:\n`);
  fs.appendFileSync(path.join(root, 'etc/shadow'), `${name}:*:19000:0:99999:7:::\n`);
  fs.mkdirSync(path.join(root, entry.home), { recursive: true, mode: 0o755 });
  fs.chownSync(path.join(root, entry.home), uid, uid);
  return entry;
}

function authorize(root: string, user: PasswdEntry, publicKey: string): void {
  const dir = path.join(root, user.home, '.ssh');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = path.join(dir, 'authorized_keys');
  fs.writeFileSync(file, publicKey.trim() + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  fs.chownSync(dir, user.uid, user.gid);
  fs.chownSync(file, user.uid, user.gid);
}

export interface AccountOptions {
  readonly port: number;
  readonly clientPublicKey: string;
  readonly hostPrivateKey: string;
  readonly hostPublicKey: string;
  readonly rootShell: string;
  readonly sudoUser: string;
}

/** Everything sshd and the users need; `root` is the fake host's / seen from outside. */
export function configureAccounts(root: string, o: AccountOptions): void {
  const etc = (p: string) => path.join(root, 'etc', p);
  fs.writeFileSync(path.join(root, SSHD_CONFIG), sshdConfig(o.port));
  fs.writeFileSync(path.join(root, HOST_KEY), o.hostPrivateKey, { mode: 0o600 });
  fs.chmodSync(path.join(root, HOST_KEY), 0o600);
  fs.writeFileSync(path.join(root, `${HOST_KEY}.pub`), o.hostPublicKey);
  fs.mkdirSync(path.join(root, 'run/sshd'), { recursive: true, mode: 0o755 }); // privilege separation dir

  setField(etc('passwd'), 'root', 6, o.rootShell);
  // "*" = no password but not locked: with UsePAM no, sshd refuses accounts locked with "!".
  setField(etc('shadow'), 'root', 1, '*');
  authorize(root, readPasswd(root).find((e) => e.name === 'root')!, o.clientPublicKey);

  const deploy = addUser(root, o.sudoUser, '/bin/sh');
  setField(etc('shadow'), o.sudoUser, 1, '*');
  authorize(root, deploy, o.clientPublicKey);
  fs.mkdirSync(etc('sudoers.d'), { recursive: true });
  fs.writeFileSync(etc(`sudoers.d/fakehost-${o.sudoUser}`), `${o.sudoUser} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
}
