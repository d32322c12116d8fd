/** How a jail's dataset is made, and what happens to it when the jail goes. */

/** How a jail's dataset is made from the snapshot. */
export enum JailCreationMethod {
  /** `zfs clone`: instant, shares blocks with the snapshot, keeps the snapshot alive. */
  CLONE = 'clone',
  /** `zfs send | zfs receive`: an independent copy. */
  SEND_RECEIVE = 'send-receive',
}

/** What happens to a jail's dataset when the jail is removed (as CDK's RemovalPolicy). */
export enum JailRemovalPolicy {
  /** `zfs destroy -r`: the jail's data is gone. */
  DESTROY = 'destroy',
  /**
   * Renamed aside to `<jail root>/.retired/NAME-<UTC time>`, unmounted and marked retired;
   * never deleted by this library. A retained clone keeps its template snapshot alive.
   */
  RETAIN = 'retain',
}
