import * as fs from 'fs';
import * as nodePath from 'path';
import { Construct } from 'constructs';
import { HostStep } from '../host';
import { defineHostKind } from '../host/prune';
import { JAIL_FILES_DIR, ownerMark, ScriptBuilder, UPLOAD_PREFIX } from '../shell';
import { IJail, JAIL_LIKE, JAIL_MEMBERS } from '../jail/interfaces';
import * as v from '../validate';
import * as p from '../validate/props';
import { accountName, fileMode, IJailServiceInput, insideJailStep, jailPath, shortDigest } from './common';

/** Files in jails, claimed per jail root and path; pruned before the host settings. @internal */
export const JAIL_FILES_KIND = defineHostKind({
  name: 'jail-files',
  claims: 'files in jails',
  how: 'removed, or the file taken over put back',
  title: 'files in jails',
  pruneAction: 'jail-file-prune',
  pruneOrder: 45,
  helperModule: 'workload.sh',
  constructs: ['JailFile'],
});

/** A file inside a jail. */
export interface JailFileProps {
  /** The jail (its root must hold the file's owner and group). */
  readonly jail: IJail;
  /** The file's path inside the jail, absolute, without `..`: `/usr/local/www/nginx/index.html`. */
  readonly path: string;
  /**
   * The content, given inline. Plaintext in the plan and in state: never a secret (use
   * `sourcePath`). Exactly one of `content` and `sourcePath`.
   * @default - none: sourcePath
   */
  readonly content?: string;
  /**
   * A file on the operator's machine (where Terraform runs) whose content the jail's file gets:
   * uploaded by the step, not carried as script text; Terraform notices its change by its
   * SHA-256 (`filesha256()`), so plans and state hold the digest only. For secrets. Relative
   * paths are taken from the directory synth runs in.
   * @default - none: content
   */
  readonly sourcePath?: string;
  /**
   * The file's mode, octal.
   * @default "0644"
   */
  readonly mode?: string;
  /**
   * The file's owner, a user of the jail (its /etc/passwd).
   * @default "root"
   */
  readonly owner?: string;
  /**
   * The file's group, a group of the jail (its /etc/group).
   * @default "wheel"
   */
  readonly group?: string;
  /**
   * Take over a file that is there already and is not this library's: it is kept aside and put
   * back when this JailFile goes. Without it such a file is refused.
   * @default false
   */
  readonly takeOver?: boolean;
}

/**
 * A file inside a jail: written atomically (a temporary file beside it, then a rename) and only
 * when its content, mode or ownership differ; removed when the JailFile goes (destroy, or the
 * host's prune step when it leaves the app), and a file it took over is put back. Symbolic links
 * on the way to it are refused, never followed out of the jail. Directories it needs are made
 * and removed with it once empty. Runs after the jail's packages, before its services.
 */
export class JailFile extends Construct implements IJailServiceInput {
  /** The jail. */
  public readonly jail: IJail;
  /** The path inside the jail. */
  public readonly path: string;
  /** The path on the host (the jail's root and the path). */
  public readonly hostPath: string;
  /** The step that writes the file. */
  public readonly step: HostStep;

  constructor(scope: Construct, id: string, props: JailFileProps) {
    super(scope, id);
    const at = this.node.path;
    p.checkProps(at, 'JailFile', props, {
      jail: p.required(p.shaped('IJail', JAIL_MEMBERS, JAIL_LIKE)),
      path: p.required(p.str('"/usr/local/etc/app.conf"')),
      content: p.str('"listen = 8080\\n"'),
      sourcePath: p.str('"secrets/db.conf"'),
      mode: p.str('"0640"'),
      owner: p.str('"www"'),
      group: p.str('"www"'),
      takeOver: p.bool,
    });
    const jail = props.jail;
    this.jail = jail;
    this.path = v.validated(at, 'path', () => jailPath(props.path));
    const mode = v.validated(at, 'mode', () => fileMode(props.mode ?? '0644'));
    const owner = v.validated(at, 'owner', () => accountName(props.owner ?? 'root'));
    const group = v.validated(at, 'group', () => accountName(props.group ?? 'wheel'));
    if ((props.content === undefined) === (props.sourcePath === undefined)) {
      throw new v.ValidationError(`${at}: invalid content: give exactly one of content (inline text) and sourcePath (a file on the operator's machine)`);
    }
    const source = props.sourcePath === undefined ? undefined : v.validated(at, 'sourcePath', () => sourceFile(props.sourcePath!));
    if (props.content !== undefined && props.content.includes('\0')) throw new v.ValidationError(`${at}: invalid content: it holds a NUL character, which no shell argument can carry: use sourcePath`);
    this.hostPath = `${jail.path}${this.path}`;
    const mark = ownerMark(jail.host.ownershipScope, at);
    const claim = `${JAIL_FILES_DIR}/${shortDigest(`${jail.path}:${this.path}`)}`;
    const upload = `${UPLOAD_PREFIX}${shortDigest(`${mark}:sourcePath`)}`;
    const what = source === undefined ? ['content', props.content!] : ['upload', upload];
    const description = `file ${this.path} in jail ${jail.name}`;
    const create = new ScriptBuilder(description)
      .banner(`${this.path} in jail ${jail.name}: mode ${mode}, ${owner}:${group}${source ? `, from ${source} (uploaded)` : ''}`)
      .helper('jail-file-write', claim, mark, jail.path, this.path, mode, owner, group, props.takeOver ? 'yes' : 'no', ...what);
    const destroy = new ScriptBuilder(description).banner(`removing ${this.path} from jail ${jail.name} (a file taken over put back)`)
      .helper('jail-file-remove', claim, mark);
    this.step = insideJailStep(this, 'write', jail, {
      description, create, destroy, order: 'file', kind: JAIL_FILES_KIND, claimKey: mark,
      uploads: source === undefined ? [] : [{ source, destination: upload }],
    });
  }
}

/** The absolute path of an existing file on the operator's machine. */
function sourceFile(given: string): string {
  const abs = nodePath.resolve(given);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new v.ValidationError(`${JSON.stringify(given)} is no file on this machine (looked for ${abs})`);
  return v.absolutePath(abs);
}
