/**
 * Dropping the SSH connection in the middle of a script: every fakebsd shim first runs
 * DROP_HOOK when the host is armed (DROP_FILE holds k). The hook counts shim starts, and at
 * the k-th it kills the sshd process that carries the script's connection ("sshd: USER@pts/N",
 * found up the process tree) and waits to be killed itself: the k-th command never runs and
 * Terraform sees the connection go away, as when a network link or a host's sshd dies.
 */
import * as fs from 'fs';
import { FakeHost } from './index';

/** Holds k while armed; removed when the drop fired. Under /run: outside every tree the host views compare. */
export const DROP_FILE = '/run/fakehost/drop-at';
export const DROP_HOOK = '/run/fakehost/drop-hook.sh';

/** The line each shim wrapper gets after its #! line (cheap when not armed: one test -e). */
export const DROP_HOOK_LINE = `[ -e ${DROP_FILE} ] && { /bin/sh ${DROP_HOOK} "$0" || exit 1; }`;

const HOOK = `#!/bin/sh
# Counts this shim start; at the armed count, drops the SSH connection that runs us.
exec 9>>${DROP_FILE}.lock
flock 9
n=$(( $(cat ${DROP_FILE}.count 2>/dev/null || echo 0) + 1 ))
echo "$n" > ${DROP_FILE}.count
[ "$n" -eq "$(cat ${DROP_FILE})" ] || exit 0
rm -f ${DROP_FILE}
echo "$n $1" > ${DROP_FILE}.fired
ppid_of() { sed 's/^.*) //' /proc/$1/stat | cut -d' ' -f2; }
# The connection's sshd ("sshd: USER@pts/N") up the process tree from $1.
sshd_above() {
  p=$1
  while [ "$p" -gt 1 ]; do
    case "$(tr '\\0' ' ' < /proc/$p/cmdline)" in
      'sshd: '*@*) echo "$p"; return 0 ;;
    esac
    p=$(ppid_of "$p")
  done
  return 1
}
if sshd=$(sshd_above $$); then
  kill -KILL "$sshd"
  flock -u 9
  # The terminal hangs up on the script and us; never come back to run the command.
  sleep 120
  exit 1
fi
# A command in a session of its own (daemon(8), the helper's no-tty) was handed to init: its
# output pipe leads back to the reader in the script's session (the helper's tee).
out=$(readlink /proc/$$/fd/1)
reader=
for f in /proc/[0-9]*/fd/0; do
  if [ "$(readlink "$f" 2>/dev/null)" = "$out" ]; then reader=\${f#/proc/}; reader=\${reader%%/*}; break; fi
done
[ -n "$reader" ] && sshd=$(sshd_above "$reader") || { echo "drop hook: no SSH connection above $$" >&2; exit 1; }
kill -KILL "$sshd"
flock -u 9
# Outside the terminal's session no hangup reaches us: go once the script's side is gone, so
# the k-th command never runs and nothing of ours outlives the connection.
i=0
while [ -d /proc/$reader ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
exit 1
`;

/** Installs the hook script into the host (called once with the shims). */
export function installDropHook(writeFile: (hostPath: string, content: string, mode: number) => void): void {
  writeFile(DROP_HOOK, HOOK, 0o755);
}

/** Arms the host: the k-th shim started from now drops its connection. */
export function armDrop(host: FakeHost, k: number): void {
  disarmDrop(host);
  host.writeFile(`${DROP_FILE}.count`, '0\n');
  host.writeFile(DROP_FILE, `${k}\n`);
}

/** Disarms; returns "N SHIM" of the drop that fired, or undefined when none did. */
export function disarmDrop(host: FakeHost): string | undefined {
  fs.rmSync(host.path(DROP_FILE), { force: true });
  const firedFile = host.path(`${DROP_FILE}.fired`);
  const fired = fs.existsSync(firedFile) ? fs.readFileSync(firedFile, 'utf8').trim() : '';
  for (const f of [firedFile, host.path(`${DROP_FILE}.count`)]) fs.rmSync(f, { force: true });
  return fired || undefined;
}
