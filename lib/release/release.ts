import { Annotations } from 'cdktf';
import { IConstruct } from 'constructs';
import * as v from '../validate';
import * as p from '../validate/props';

/**
 * A FreeBSD release and the date its security support ends.
 *
 * The end-of-life dates are the published schedule of FreeBSD release engineering (announced
 * July 2024; ../shared/FREEBSD.md, "Releases and updates"): planned dates, which the security
 * team may extend. Past that date `freebsd-update fetch` exits 1 (fetch_warn_eol in
 * usr.sbin/freebsd-update/freebsd-update.sh), so a release's end of life is something a
 * template or an update has to deal with, and this library warns about it at synth time.
 */
export class FreeBsdRelease {
  /** 13.5-RELEASE, the last of 13: supported until 2026-04-30. */
  public static readonly V13_5 = new FreeBsdRelease(13, 5, '2026-04-30');
  /** 14.3-RELEASE: supported until 2026-06-30. */
  public static readonly V14_3 = new FreeBsdRelease(14, 3, '2026-06-30');
  /** 14.4-RELEASE: supported until 2026-12-31. */
  public static readonly V14_4 = new FreeBsdRelease(14, 4, '2026-12-31');
  /** 14.5-RELEASE: supported until 2027-06-30. */
  public static readonly V14_5 = new FreeBsdRelease(14, 5, '2027-06-30');
  /** 15.0-RELEASE: supported until 2026-09-30. */
  public static readonly V15_0 = new FreeBsdRelease(15, 0, '2026-09-30');
  /** 15.1-RELEASE: supported until 2027-03-31. */
  public static readonly V15_1 = new FreeBsdRelease(15, 1, '2027-03-31');

  /**
   * A release by number, like `14.4` or `14.4-RELEASE`. A release of the table above is that
   * entry; any other (a release newer than this library) has no known end-of-life date.
   */
  public static of(version: string): FreeBsdRelease {
    p.checkArgs('FreeBsdRelease.of', [['version', version, p.required(p.str('"14.5"'))]]);
    const name = v.release(version);
    const known = FreeBsdRelease.known().find((r) => r.name === name);
    if (known) return known;
    const { major, minor } = v.releaseVersion(name);
    return new FreeBsdRelease(major, minor, undefined);
  }

  /** Every release this version of the library knows the end of life of, oldest first. */
  public static known(): FreeBsdRelease[] {
    return [FreeBsdRelease.V13_5, FreeBsdRelease.V14_3, FreeBsdRelease.V14_4, FreeBsdRelease.V14_5, FreeBsdRelease.V15_0, FreeBsdRelease.V15_1];
  }

  /** The normalized name, like `14.4-RELEASE` (what freebsd-update and the mirrors call it). */
  public readonly name: string;
  /** The number, like `14.4`. */
  public readonly version: string;
  /** The major version, like 14. */
  public readonly major: number;
  /** The minor version, like 4. */
  public readonly minor: number;
  /**
   * The last day of security support (`YYYY-MM-DD`, UTC), or undefined when this library
   * does not know it.
   */
  public readonly endOfLife?: string;

  private constructor(major: number, minor: number, endOfLife: string | undefined) {
    this.major = major;
    this.minor = minor;
    this.version = `${major}.${minor}`;
    this.name = `${this.version}-RELEASE`;
    this.endOfLife = endOfLife;
  }

  /** True when `at` is after the last day of support (false when the end of life is unknown). */
  public isPastEndOfLife(at: Date): boolean {
    if (this.endOfLife === undefined) return false;
    return at.getTime() >= Date.parse(`${this.endOfLife}T00:00:00Z`) + 24 * 3600 * 1000;
  }

  /**
   * Add a synth-time warning to `scope` when this release is past its end of life at `at`
   * (default: now), or an info note when its end of life is unknown to this library. The
   * warning is only a message: the release stays what the app asked for.
   */
  public annotateSupport(scope: IConstruct, at?: Date): void {
    const when = at ?? new Date();
    if (this.endOfLife === undefined) {
      Annotations.of(scope).addInfo(`FreeBSD ${this.name} is not in this library's release table: its end-of-life date is unknown`);
    } else if (this.isPastEndOfLife(when)) {
      Annotations.of(scope).addWarning(
        `FreeBSD ${this.name} passed its end of life on ${this.endOfLife}: it gets no security updates (freebsd-update fetch fails for it); move to a supported release`,
      );
    }
  }
}

/**
 * The release a template gets when none is given: a supported release when this library
 * version was made. It is part of a template's identity, so it changes only with a library
 * version, never with the clock.
 */
export const DEFAULT_TEMPLATE_RELEASE = FreeBsdRelease.V14_5;
