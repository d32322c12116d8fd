import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { writeAtSynth } from './synth-hook';

/**
 * The file in each stack's synth folder (cdktf.out/stacks/STACK/) that lists the stack's steps:
 * for each null_resource address, the step's construct path, title and action outline
 * (`{ "version": 1, "steps": { "null_resource.NAME": { "path", "title", "outline": { "create",
 * "destroy" } } } }`, in the order the steps were made). Summaries read it (`npm start`);
 * Terraform reads only `*.tf.json` there.
 */
export const STEP_OUTLINES_FILE = 'cdktf-freebsd-jails-steps.json';

/** A step's entry in STEP_OUTLINES_FILE. */
export interface StepOutline {
  readonly title: string;
  readonly outline: { readonly create: string[]; readonly destroy: string[] };
}

/**
 * The steps of a stack and their outlines, written to STEP_OUTLINES_FILE when the stack is
 * synthesized (after validation; the addresses then, so a later overrideLogicalId counts).
 * One per stack, made by its first step.
 */
export class StepOutlines extends Construct {
  /** The construct id under the stack. */
  private static readonly ID = 'cdktf-freebsd-jails-step-outlines';

  public static of(stack: TerraformStack): StepOutlines {
    const existing = stack.node.tryFindChild(StepOutlines.ID);
    return existing instanceof StepOutlines ? existing : new StepOutlines(stack);
  }

  private readonly entries: [TerraformResource, StepOutline][] = [];

  private constructor(stack: TerraformStack) {
    super(stack, StepOutlines.ID);
    writeAtSynth(this, stack, STEP_OUTLINES_FILE, () => {
      const steps: Record<string, unknown> = {};
      for (const [r, o] of this.entries) steps[`${r.terraformResourceType}.${r.friendlyUniqueId}`] = { path: r.node.scope!.node.path, ...o };
      return JSON.stringify({ version: 1, steps }, null, 2) + '\n';
    });
  }

  public add(stepResource: TerraformResource, outline: StepOutline): void {
    this.entries.push([stepResource, outline]);
  }
}
