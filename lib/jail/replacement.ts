/**
 * How a jail is made again when its source moves (a template's new snapshot): all at once, as
 * Terraform replaces steps, or rolling, one jail after another (lib/shell/helper/jails.sh
 * jail-roll). Terraform 1.11 runs the destroy provisioners of every replaced step before any
 * create (dependents first), and runs none for a create_before_destroy replacement (a deposed
 * object, internal/terraform/node_resource_destroy_deposed.go), which it also forces on every
 * step the replaced one depends on, the host's helper step included. So a rolling jail's source
 * is no input of any step with a destroy: its roll step, which has none, moves the dataset.
 */
import { IJail } from './interfaces';

/** How a jail is made again when its source changes. */
export class JailReplacement {
  /**
   * Terraform's replacement: every step of the jail is destroyed, then made again, and every
   * jail made from the same template goes down at once.
   */
  public static readonly ALL_AT_ONCE = new JailReplacement(false);

  /**
   * The first jail of a rolling order: its dataset is moved to the new source by its own roll
   * step (stopped, the old dataset removed by the removal policy, the new one made, started),
   * then its packages, files and services are made again in it.
   */
  public static rolling(): JailReplacement {
    return new JailReplacement(true);
  }

  /**
   * Rolling, once `jail` (itself rolling) rolled, started, and its services passed their
   * health checks (or, without services, its configuration step ran).
   */
  public static after(jail: IJail): JailReplacement {
    return new JailReplacement(true, jail);
  }

  /**
   * @param isRolling whether the jail rolls
   * @param previous the jail it rolls after
   */
  private constructor(
    /** Whether the jail rolls. */
    public readonly isRolling: boolean,
    /**
     * The jail it rolls after.
     * @default - none: first in its order, or not rolling
     */
    public readonly previous?: IJail) {}
}
