/**
 * What a host's constructs show the user at synth, beside the steps: a Terraform output
 * (`terraform output -raw NAME`) and a file in the stack's synth folder
 * (cdktf.out/stacks/STACK/). Both take their text when the stack is synthesized, after
 * every construct bound (a listing made at construction would miss later jails). Like
 * HostStep, this is lib/host's: the construct layers describe, lib/host makes the Terraform.
 */
import { Lazy, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { FreeBsdHost } from './host';
import { writeAtSynth } from './synth-hook';

/** One report of a host: its Terraform output and its file. @internal */
export interface HostReportProps {
  /** The output's name after PREFIX_ (the host's path makes the rest unique in the stack). */
  readonly outputPrefix: string;
  /** The output's description. */
  readonly description: string;
  /** The text of the output, read at synth. */
  readonly value: () => string;
  /** The file's name before the host part and extension (`vnet-topology` -> vnet-topology-HOST.mmd), if any. */
  readonly filePrefix?: string;
  /** The file's extension, with its dot. */
  readonly fileExtension?: string;
  /** The file's text, read at synth. */
  readonly fileContent?: () => string;
}

/**
 * A host's report (one per host and id: the first caller makes it, later ones get it). The
 * host part of the names is the host's construct path in its stack, `/` and other characters
 * Terraform does not take in a name as `_` (the host `host` of a stack: `PREFIX_host`).
 * @internal
 */
export function hostReport(host: FreeBsdHost, id: string, props: HostReportProps): HostReport {
  const existing = host.node.tryFindChild(id);
  if (existing instanceof HostReport) return existing;
  return new HostReport(host, id, props);
}

/** @internal */
export class HostReport extends Construct {
  /** The Terraform output. */
  public readonly output: TerraformOutput;
  /** The output's name. */
  public readonly outputName: string;
  /** The file's name in the stack's synth folder, if the report has one. */
  public readonly fileName?: string;

  constructor(host: FreeBsdHost, id: string, props: HostReportProps) {
    super(host, id);
    const stack = TerraformStack.of(host);
    const hostPart = hostNamePart(host, stack);
    this.outputName = `${props.outputPrefix}_${hostPart}`;
    this.output = new TerraformOutput(this, 'output', {
      value: Lazy.stringValue({ produce: () => props.value() }),
      description: props.description,
    });
    this.output.overrideLogicalId(this.outputName);
    if (props.filePrefix !== undefined && props.fileContent !== undefined) {
      const fileName = `${props.filePrefix}-${hostPart}${props.fileExtension ?? ''}`;
      this.fileName = fileName;
      writeAtSynth(this, stack, fileName, props.fileContent);
    }
  }
}

/** The host's construct path below its stack, as a Terraform name part. */
function hostNamePart(host: FreeBsdHost, stack: TerraformStack): string {
  const below = host.node.scopes.slice(host.node.scopes.indexOf(stack) + 1).map((c) => c.node.id);
  return below.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
}
