import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { HOST_HELPER_PROGRAM, HOST_HELPER_VERSION, LIBRARY_NAME } from '../shell';
import { writeAtSynth } from './synth-hook';

/**
 * The host helper program (HOST_HELPER_PROGRAM) as a file of each stack's synth folder
 * (cdktf.out/stacks/STACK/), relative to it: Terraform runs there, and the helper step's file
 * provisioner uploads it to the host (HOST_HELPER_UPLOAD_PREFIX and the step's id), where the
 * step checks its SHA-256 and installs it. A stack run elsewhere must take the folder along,
 * as with any cdktf asset.
 */
export const HOST_HELPER_ASSET = `assets/${LIBRARY_NAME}/helper-${HOST_HELPER_VERSION}`;

/** Writes HOST_HELPER_ASSET when the stack is synthesized. One per stack, made by its first host's helper step. */
export class HostHelperAsset extends Construct {
  private static readonly ID = 'cdktf-freebsd-jails-host-helper';

  public static of(stack: TerraformStack): HostHelperAsset {
    const existing = stack.node.tryFindChild(HostHelperAsset.ID);
    return existing instanceof HostHelperAsset ? existing : new HostHelperAsset(stack);
  }

  private constructor(stack: TerraformStack) {
    super(stack, HostHelperAsset.ID);
    writeAtSynth(this, stack, HOST_HELPER_ASSET, () => HOST_HELPER_PROGRAM, 0o755);
  }
}
