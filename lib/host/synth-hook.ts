/**
 * Files a construct writes into its stack's synth folder (cdktf.out/stacks/STACK/) when the
 * stack is synthesized: the host helper asset, the step outlines, a host's report file.
 *
 * cdktf has no public API for this. TerraformAsset copies a file that exists before synth, into
 * a folder named by its hash; these files are made at synth from what every construct bound, at
 * fixed names. So this module, and only this one (test/architecture/imports.test.ts), imports
 * cdktf's private per-construct synth hook, the one TerraformAsset itself uses: run by
 * StackSynthesizer.synthesize after validation, with the session's folder. test/host/synth-hook
 * .test.ts checks that the installed framework still has it and still runs it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ISynthesisSession, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { IConstruct } from 'constructs';

/** Where writeAtSynth writes FILE: the stack's folder in the synth output. */
export function stackSynthFolder(session: ISynthesisSession, stack: TerraformStack): string {
  return path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
}

/**
 * When `stack` is synthesized, `file` (relative to its synth folder) gets `content()`, its
 * folders made; `mode` for an executable file.
 */
export function writeAtSynth(construct: IConstruct, stack: TerraformStack, file: string, content: () => string, mode?: number): void {
  addCustomSynthesis(construct, {
    onSynthesize: (session: ISynthesisSession) => {
      const target = path.join(stackSynthFolder(session, stack), file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content(), mode === undefined ? undefined : { mode });
    },
  });
}
