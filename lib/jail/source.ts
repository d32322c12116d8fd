/**
 * What a jail is made from: a template of this app or a snapshot named by its dataset. One
 * union-like value instead of two props of which exactly one had to be given.
 */
import { IZfsTemplate } from '../zfs';
import * as p from '../validate/props';

/** The snapshot a jail is cloned or copied from. */
export class JailSource {
  /** The current snapshot of a template of this app; the jail is made again from each new one. */
  public static template(template: IZfsTemplate): JailSource {
    p.checkArgs('JailSource.template', [['template', template, p.required(p.shaped('IZfsTemplate', ['host', 'snapshot', 'step'], 'new ZfsTemplate(scope, "template", { host })'))]]);
    return new JailSource(template, undefined);
  }

  /** A snapshot that exists on the host (`DATASET@NAME`, like `zroot/vm/tmpl/14.5@p1`). */
  public static snapshot(snapshot: string): JailSource {
    p.checkArgs('JailSource.snapshot', [['snapshot', snapshot, p.required(p.str('"zroot/vm/tmpl/14.5@p1"'))]]);
    return new JailSource(undefined, snapshot);
  }

  /**
   * The template, for a source made by `JailSource.template`.
   * @default - none: a snapshot
   */
  public readonly sourceTemplate?: IZfsTemplate;
  /**
   * The snapshot as given, for a source made by `JailSource.snapshot`.
   * @default - none: the template's
   */
  public readonly sourceSnapshot?: string;

  private constructor(template: IZfsTemplate | undefined, snapshot: string | undefined) {
    this.sourceTemplate = template;
    this.sourceSnapshot = snapshot;
  }
}
