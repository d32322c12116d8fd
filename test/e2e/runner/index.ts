/**
 * The engine of the end-to-end scenarios: the real Terraform binary with the null provider
 * test double (test/e2e/provider). Terraform core runs every provisioner, connection, taint,
 * replacement, ignore_changes, dependency order and parallelism, exactly as `cdktf deploy`.
 * There is no simulation to fall back on: without the binary the scenarios skip and say why.
 *
 *   const report = await planAndApply('cdktf.out', '/tmp/state');   // state in /tmp/state.STACK.tfstate
 *   await destroyAll('cdktf.out', '/tmp/state');
 */
import { terraformBinary } from '../../support/terraform';
import { RunReport } from './report';
import { RunOptions, runTerraform } from './terraform-engine';

export { RunReport, Failure, UiMessage, emptyReport } from './report';
export { RunOptions, STATE_OVERRIDE } from './terraform-engine';

export type Engine = { kind: 'terraform'; binary: string };

/** The engine, or why the scenarios cannot run here. */
export function selectEngine(env: NodeJS.ProcessEnv = process.env): Engine | { skip: string } {
  const tf = terraformBinary(env);
  return tf.binary ? { kind: 'terraform', binary: tf.binary } : { skip: `the e2e scenarios run on Terraform: ${tf.reason}` };
}

function requireEngine(): Engine {
  const engine = selectEngine();
  if ('skip' in engine) throw new Error(engine.skip);
  return engine;
}

/** `terraform apply -auto-approve` of every stack. Never throws for a failed provisioner: see report.ok and report.failures. */
export function planAndApply(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  return runTerraform(requireEngine().binary, outDir, stateFile, 'apply', opts);
}

/** `terraform destroy -auto-approve` of every stack. */
export function destroyAll(outDir: string, stateFile: string, opts: RunOptions = {}): Promise<RunReport> {
  return runTerraform(requireEngine().binary, outDir, stateFile, 'destroy', opts);
}

/** The names the scenario bench has always used. */
export const applyWithEngine = planAndApply;
export const destroyWithEngine = destroyAll;
