/**
 * Shell snippets of step scripts (the host helper, lib/shell/helper/, does the rest).
 *
 * Edits of files shared with the administrator and with other steps (rc.conf, /etc/hosts,
 * /etc/jail.conf, ...) run under lockf(1): Terraform runs up to ten provisioners at once.
 * The locked part is a fixed program text given to `/bin/sh -c`, with the values passed as
 * positional parameters, so no value is ever spliced into program text.
 */
import { LOCK_TIMEOUT_SECONDS, lockFileFor } from './names';
import { shellQuote, shellQuoteAlways } from './quote';

/** Run a fixed sh program under lockf, with arguments passed as positional parameters. */
export function underLock(lockName: string, program: string, args: readonly string[]): string[] {
  return underLockWords(lockName, program, args.map(shellQuoteAlways));
}

/**
 * underLock with arguments that are already sh words, for values known only at run time
 * (for example "$name" in a loop over the host's jails). `timeoutSeconds`: how long to wait for
 * the lock, for a holder that may take longer than an edit (a package fetch).
 */
export function underLockWords(lockName: string, program: string, words: readonly string[], timeoutSeconds = LOCK_TIMEOUT_SECONDS): string[] {
  return [
    '# shellcheck disable=SC2016 # the program text is literal; its values arrive as $1, $2, ...',
    `lockf -k -t ${timeoutSeconds} ${shellQuote(lockFileFor(lockName))} /bin/sh -c ${shellQuoteAlways(program)} sh ${words.join(' ')}`.trimEnd(),
  ];
}

/** `zfs list` of one dataset, quiet: the exit status says whether it exists. */
export function datasetExists(dataset: string): string {
  return `zfs list -H -o name ${shellQuote(dataset)} >/dev/null 2>&1`;
}

/** Same for a snapshot `dataset@name`. */
export function snapshotExists(snapshot: string): string {
  return `zfs list -H -t snapshot -o name ${shellQuote(snapshot)} >/dev/null 2>&1`;
}

