/**
 * A scenario's test bench: one fake host, one working directory with cdktf.out and the
 * stacks' state, the app synthesized in-process (no cdktf CLI) and applied or destroyed by the
 * real Terraform binary with the null provider test double. Each report gets the SSH
 * connections and sessions the host's sshd logged during the run.
 *
 *   const bench = await Bench.start({ user: 'deploy' });
 *   bench.synth((app, env) => new NotebookStack(app, 'notebook', env));
 *   const report = await bench.apply();
 *   await bench.stop();
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { FakeHost, FakeHostOptions, FakeHostSnapshot, fakeHostSkipReason, startFakeHost } from '../host';
import { applyWithEngine, destroyWithEngine, RunOptions, RunReport, selectEngine } from '../runner';
import { SshConnection } from '../host';
import { tempDir } from '../runner/fixtures';

/** Builds the scenario's stacks into `app` for a host described by `env` (FREEBSD_* variables). */
export type AppBuilder = (app: App, env: Record<string, string>) => void;

export interface BenchOptions {
  /** The SSH user of the app: root (tcsh login shell) or the rig's sudo user. Default root. */
  readonly user?: string;
  /** Runs before sshd starts: the administrator's own state, host prerequisites. */
  readonly seed?: FakeHostOptions['seed'];
  /** The host's release and kernel. Default $FAKEBSD_RELEASE, else 14.5-RELEASE-p1. */
  readonly release?: string;
  /** The releases the host's mirror serves (X.Y). Default the fake mirror's: 13.5, 14.3, 14.5, 15.0. */
  readonly mirrorReleases?: string[];
}

/** One create script of cdk.tf.json, as terraform uploads it. */
export interface CreateScript {
  readonly address: string;
  readonly text: string;
  /** The files the resource's file provisioners upload before the script runs: local path, host path. */
  readonly uploads: { readonly source: string; readonly destination: string }[];
}

export interface ExecResult { code: number; stdout: string; stderr: string }

/** A bench as it was (its host and its stacks' Terraform state), to start copies of (Bench.fromSnapshot). */
export interface BenchSnapshot {
  readonly host: FakeHostSnapshot;
  readonly user: string;
  /** The key path the states' connections name (the snapshotted host's). */
  readonly keyPath: string;
  /** State file name (state.json.STACK.tfstate) -> content. */
  readonly states: Record<string, string>;
  remove(): void;
}

export class Bench {
  public static async start(opts: BenchOptions = {}): Promise<Bench> {
    const host = await startFakeHost({ fakebsd: { mirror: true, release: opts.release ?? process.env.FAKEBSD_RELEASE ?? '14.5-RELEASE-p1', ...(opts.mirrorReleases ? { releases: opts.mirrorReleases } : {}) }, seed: opts.seed });
    // What rc does at boot on FreeBSD: load the devfs rulesets of /etc/defaults/devfs.rules.
    const boot = await host.hostExec('service devfs start');
    if (boot.code !== 0) {
      await host.stop();
      throw new Error(`service devfs start failed on the fake host: ${boot.stderr}`);
    }
    return new Bench(host, opts.user ?? 'root');
  }

  /**
   * A copy of a bench's snapshot: its host (a fake host started from the snapshot, sshd on a new
   * port) and its Terraform state, whose connection triggers are moved to the copy (port, key
   * path), so a synth of the same app against the copy plans no change.
   */
  public static async fromSnapshot(snap: BenchSnapshot): Promise<Bench> {
    const host = await startFakeHost({ clone: snap.host });
    const bench = new Bench(host, snap.user);
    for (const [file, text] of Object.entries(snap.states)) {
      const state = JSON.parse(text);
      for (const r of state.resources ?? []) {
        for (const i of r.instances ?? []) {
          const t = i.attributes?.triggers;
          if (!t) continue;
          if (t.port === String(snap.host.port)) t.port = String(host.port);
          if (t.key_path === snap.keyPath) t.key_path = host.keyPath;
        }
      }
      fs.writeFileSync(path.join(bench.dir, file), JSON.stringify(state, null, 2));
    }
    return bench;
  }

  public readonly dir = tempDir('scenario-');
  public readonly out = path.join(this.dir, 'cdktf.out');
  public readonly stateFile = path.join(this.dir, 'state.json');
  private uploads = 0;

  private constructor(public readonly host: FakeHost, public readonly user: string, private readonly ownsHost = true) {}

  /** Another app on the same host: its own cdktf.out and Terraform state (stop() leaves the host running). */
  public anotherApp(): Bench {
    return new Bench(this.host, this.user, false);
  }

  /** `cdktf synth` in-process: a fresh cdktf.out from `build`. */
  public synth(build: AppBuilder): void {
    fs.rmSync(this.out, { recursive: true, force: true });
    const app = new App({ outdir: this.out });
    build(app, this.host.env(this.user));
    app.synth();
  }

  public apply(opts: RunOptions = {}): Promise<RunReport> {
    return this.counted(opts, () => applyWithEngine(this.out, this.stateFile, opts));
  }

  /** Shim commands run on the host so far (commands.log). */
  public commandCount(): number {
    return this.host.commandsLog().length;
  }

  public destroy(opts: RunOptions = {}): Promise<RunReport> {
    return this.counted(opts, () => destroyWithEngine(this.out, this.stateFile, opts));
  }

  /** Runs `fn` and adds what sshd logged meanwhile to its report. */
  private async counted(opts: RunOptions, fn: () => Promise<RunReport>): Promise<RunReport> {
    const mark = this.host.sshdLog().length;
    const report = await fn();
    addSshCounts(report, this.host.sshConnections(mark), opts.parallelism === 1);
    return report;
  }

  /**
   * The create scripts of every null_resource in cdktf.out, with terraform's escapes undone and
   * the ids they read (the scope claim: `self.id`, `null_resource.NAME.id`) from the stack's state.
   */
  public createScripts(): CreateScript[] {
    const out: CreateScript[] = [];
    const stacks = path.join(this.out, 'stacks');
    for (const stack of fs.readdirSync(stacks).sort()) {
      const json = JSON.parse(fs.readFileSync(path.join(stacks, stack, 'cdk.tf.json'), 'utf8'));
      const ids = this.resourceIds(stack);
      for (const [name, res] of Object.entries<Record<string, unknown>>(json.resource?.null_resource ?? {})) {
        const refs = { ...ids, 'self.id': ids[`null_resource.${name}.id`] };
        // Terraform runs a resource's creation-time provisioners in order: uploads, then the script.
        let uploads: CreateScript['uploads'] = [];
        for (const p of (res.provisioner ?? []) as Record<string, { inline?: string[]; when?: string; source?: string; destination?: string }>[]) {
          const file = p.file;
          if (file && file.when !== 'destroy') {
            uploads = [...uploads, { source: path.join(stacks, stack, file.source!), destination: unescapeTerraform(file.destination!, name, refs) }];
            continue;
          }
          const exec = p['remote-exec'];
          if (!exec || exec.when === 'destroy') continue;
          out.push({ address: `${stack}:null_resource.${name}`, text: unescapeTerraform((exec.inline ?? []).join('\n'), name, refs), uploads });
          uploads = [];
        }
      }
    }
    return out;
  }

  /** `null_resource.NAME.id` -> the id, from the stack's Terraform state (none before the first apply). */
  public resourceIds(stack = 'lab'): Record<string, string> {
    const file = `${this.stateFile}.${stack}.tfstate`;
    if (!fs.existsSync(file)) return {};
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as { resources?: { type: string; name: string; instances: { attributes: { id: string } }[] }[] };
    return Object.fromEntries((state.resources ?? []).filter((r) => r.type === 'null_resource' && r.instances.length === 1)
      .map((r) => [`null_resource.${r.name}.id`, r.instances[0].attributes.id]));
  }

  /** Uploads a script (and its files first, as terraform's file provisioner does) over SSH and runs it through the login shell, as terraform's remote-exec does. */
  public async runByHand(script: CreateScript): Promise<ExecResult> {
    for (const file of script.uploads) {
      const r = await this.ssh(`cat > '${file.destination}'`, fs.readFileSync(file.source, 'utf8'));
      if (r.code !== 0) throw new Error(`upload of ${file.source} for ${script.address} failed: ${r.stderr}`);
    }
    const remote = `/tmp/byhand_${process.pid}_${this.uploads++}.sh`;
    const up = await this.ssh(`cat > ${remote} && chmod 0777 ${remote}`, script.text);
    if (up.code !== 0) throw new Error(`upload of ${script.address} failed: ${up.stderr}`);
    const r = await this.ssh(remote);
    await this.ssh(`rm -f ${remote}`);
    return r;
  }

  /** A command over SSH as the bench's user, through its login shell. */
  public ssh(cmd: string, input?: string): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('ssh', [...this.host.sshArgs(this.user), '127.0.0.1', cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
      child.stdin.on('error', () => { /* the command did not read its input */ });
      child.stdin.end(input ?? '');
    });
  }

  /** The bench as it is now (see fromSnapshot); remove() it after its last copy. */
  public async snapshot(): Promise<BenchSnapshot> {
    const host = await this.host.snapshot();
    const states: Record<string, string> = {};
    for (const f of fs.readdirSync(this.dir)) {
      if (f.startsWith(`${path.basename(this.stateFile)}.`) && f.endsWith('.tfstate')) states[f] = fs.readFileSync(path.join(this.dir, f), 'utf8');
    }
    return { host, user: this.user, keyPath: this.host.keyPath, states, remove: () => host.remove() };
  }

  public async stop(): Promise<void> {
    if (this.ownsHost) await this.host.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Fills the report's SSH figures from sshd's log. In a serial run (parallelism 1) Terraform's
 * provisioner runs and sshd's connections happen one after the other, one connection per run,
 * so the k-th connection belongs to the k-th provision_start: only then are they attributed.
 */
export function addSshCounts(report: RunReport, connections: SshConnection[], serial: boolean): void {
  report.sshConnections = connections.length;
  report.sshSessions = connections.reduce((n, c) => n + c.sessions.length, 0);
  report.sshPtySessions = connections.reduce((n, c) => n + c.sessions.filter((s) => s.tty).length, 0);
  for (const c of connections) report.sessionsPerConnection[c.sessions.length] = (report.sessionsPerConnection[c.sessions.length] ?? 0) + 1;
  const runs = report.messages.filter((m) => m.type === 'provision_start').map((m) => m.hook!.resource!.addr);
  if (!serial || runs.length !== connections.length) return;
  runs.forEach((address, i) => {
    report.connectionsByResource[address] = (report.connectionsByResource[address] ?? 0) + 1;
    report.sessionsByResource[address] = (report.sessionsByResource[address] ?? 0) + connections[i].sessions.length;
  });
}

/**
 * Terraform's template escapes in a literal string: `$${` -> `${`, `%%{` -> `%{`; a live `${EXPR}`
 * is replaced by `values[EXPR]`, any other live `${` or `%{` is an error.
 */
export function unescapeTerraform(s: string, where: string, values: Record<string, string | undefined> = {}): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith('$${', i) || s.startsWith('%%{', i)) { out += `${s[i]}{`; i += 2; continue; }
    const expr = s.startsWith('${', i) ? /^\$\{([A-Za-z0-9_.]+)\}/.exec(s.slice(i)) : null;
    if (expr && values[expr[1]] !== undefined) { out += values[expr[1]]; i += expr[0].length - 1; continue; }
    if (s.startsWith('${', i) || s.startsWith('%{', i)) throw new Error(`${where}: create script has an interpolation at ${i}: ${s.slice(i, i + 40)}`);
    out += s[i];
  }
  return out;
}

/** A short description of a failed run, for expect messages. */
export function failureText(report: RunReport): string {
  return report.failures.map((f) => `${f.address} (${f.phase}): ${f.message}\n${f.output}`).join('\n---\n');
}

/** Why the e2e scenarios cannot run here (not root, not Linux, no Terraform binary), or undefined. */
export function scenarioSkipReason(): string | undefined {
  const engine = selectEngine();
  return fakeHostSkipReason() ?? ('skip' in engine ? engine.skip : undefined);
}

/**
 * describe() when the fake host can run, else describe.skip with the reason printed.
 * `blockedBy` names a known defect of the test bed that stops these scenarios (printed as BLOCKED).
 */
export function describeOnFakeHost(title: string, fn: () => void, blockedBy?: () => string | undefined): void {
  const skip = scenarioSkipReason() ?? blockedBy?.();
  if (skip) {
    // eslint-disable-next-line no-console
    console.log(`${scenarioSkipReason() ? 'SKIPPED' : 'BLOCKED'} e2e ${title}: ${skip}`);
    describe.skip(title, fn);
  } else {
    const engine = selectEngine();
    // eslint-disable-next-line no-console
    console.log(`e2e ${title}: engine ${'binary' in engine ? engine.binary : '?'} (real Terraform) with the null provider test double`);
    describe(title, fn);
  }
}
