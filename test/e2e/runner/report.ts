/**
 * What one `terraform apply` or `destroy` did, read from Terraform's own machine-readable
 * output (the `-json` UI stream and `terraform show -json`), and, filled in by the scenario
 * bench, what the host's sshd logged (connections and sessions).
 */

export interface Failure {
  /** `null_resource.NAME` (prefixed `STACK:` when several stacks ran). */
  readonly address: string;
  readonly phase: 'create' | 'destroy';
  /** Terraform's error diagnostic about the resource: summary and detail. */
  readonly message: string;
  /** What the failed provisioner printed (its PTY: stdout and stderr together). */
  readonly output: string;
}

/** Addresses are `null_resource.NAME` (prefixed `STACK:` when several stacks were run). */
export interface RunReport {
  engine: 'terraform';
  ok: boolean;
  created: string[];
  replaced: string[];
  destroyed: string[];
  /** Left the state without destroy provisioners: removed from the configuration, or tainted at destroy. */
  removedWithoutProvisioners: string[];
  unchanged: string[];
  /** Tainted in the state after this run. */
  tainted: string[];
  /** Provisioners Terraform started (provision_start events). */
  provisionerRuns: number;
  /** Provisioner runs by resource address. */
  provisionerRunsByResource: Record<string, number>;
  /** SSH connections accepted by the host's sshd during the run (0 when no host log was read). */
  sshConnections: number;
  /** SSH sessions (channels that ran a command) the host's sshd started during the run. */
  sshSessions: number;
  /** Of those, sessions that had a PTY (Terraform asks for one on every session). */
  sshPtySessions: number;
  /** How many sessions each connection carried: "4": 12 means twelve connections of four sessions. */
  sessionsPerConnection: Record<string, number>;
  /**
   * Sessions and connections by resource: only when the run was serial (parallelism 1), where
   * the order of Terraform's provisioner runs and of sshd's connections attribute them exactly.
   */
  sessionsByResource: Record<string, number>;
  connectionsByResource: Record<string, number>;
  /** Failures ignored because of on_failure = "continue" (Terraform's warnings). */
  continuedFailures: string[];
  failures: Failure[];
  /** Planned changes Terraform never started (after a failure elsewhere). */
  notStarted: string[];
  /** Most resource operations in progress at once (apply_start .. apply_complete). */
  maxConcurrent: number;
  /** Wall time of the whole run (init, plan and apply of every stack). */
  durationMs: number;
  /** Wall time of the apply/destroy commands alone. */
  applyMs: number;
  /** Every UI message of the run, for assertions on what Terraform said. */
  messages: UiMessage[];
}

/** One line of `terraform apply -json` (Terraform's machine-readable UI, format 1.x). */
export interface UiMessage {
  readonly 'type': string;
  readonly '@level': string;
  readonly '@message': string;
  readonly '@timestamp': string;
  readonly 'hook'?: {
    readonly resource?: { readonly addr: string };
    readonly action?: string;
    readonly provisioner?: string;
    readonly output?: string;
  };
  readonly 'change'?: { readonly resource: { readonly addr: string }; readonly action: string; readonly reason?: string };
  readonly 'diagnostic'?: { readonly severity: string; readonly summary: string; readonly detail?: string; readonly address?: string };
}

export function emptyReport(): RunReport {
  return {
    engine: 'terraform', ok: true, created: [], replaced: [], destroyed: [], removedWithoutProvisioners: [], unchanged: [], tainted: [],
    provisionerRuns: 0, provisionerRunsByResource: {}, sshConnections: 0, sshSessions: 0, sshPtySessions: 0, sessionsPerConnection: {},
    sessionsByResource: {}, connectionsByResource: {}, continuedFailures: [], failures: [], notStarted: [], maxConcurrent: 0,
    durationMs: 0, applyMs: 0, messages: [],
  };
}
