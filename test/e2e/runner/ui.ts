/**
 * From Terraform's machine-readable UI (`apply -json`: planned_change, apply_start,
 * apply_complete, apply_errored, provision_start/progress/errored, diagnostic) and its state
 * (`show -json`) to the run report. Nothing is inferred from human-readable text.
 */
import { RunReport, UiMessage } from './report';

/** What `terraform show -json` says about the state's resources. */
export interface StateResources {
  readonly addresses: string[];
  readonly tainted: string[];
}

interface ShowJson {
  values?: { root_module?: { resources?: { address: string; tainted?: boolean }[] } };
}

export function stateResources(showJson: string): StateResources {
  const parsed = (showJson.trim() ? JSON.parse(showJson) : {}) as ShowJson;
  const resources = parsed.values?.root_module?.resources ?? [];
  return { addresses: resources.map((r) => r.address), tainted: resources.filter((r) => r.tainted).map((r) => r.address) };
}

/** Parses the -json stream; lines that are not JSON (there should be none) are kept as messages of type "text". */
export function parseUi(stdout: string): UiMessage[] {
  return stdout.split('\n').filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l) as UiMessage;
    } catch {
      return { 'type': 'text', '@level': 'info', '@message': l, '@timestamp': '' };
    }
  });
}

export interface StackOutcome {
  readonly command: 'apply' | 'destroy';
  readonly messages: UiMessage[];
  /** Tainted before the run (a tainted object is destroyed without its destroy provisioners). */
  readonly taintedBefore: ReadonlySet<string>;
  readonly after: StateResources;
  readonly exitCode: number;
  /** Label of an address in the report (the stack prefix when several stacks ran). */
  readonly label: (address: string) => string;
}

/** Adds one stack's run to the report. */
export function addStackOutcome(report: RunReport, o: StackOutcome): void {
  const L = o.label;
  const planned = new Map<string, { action: string; reason?: string }>();
  const started = new Set<string>();
  const completed = new Map<string, string[]>(); // address -> actions completed (a replace completes delete, then create)
  const errored = new Map<string, string>(); // address -> action
  const output = new Map<string, string[]>();
  let inFlight = 0;
  for (const m of o.messages) {
    report.messages.push(m);
    const addr = m.hook?.resource?.addr ?? m.change?.resource.addr;
    switch (m.type) {
      case 'planned_change':
        planned.set(addr!, { action: m.change!.action, reason: m.change!.reason });
        break;
      case 'apply_start':
        started.add(addr!);
        inFlight++;
        report.maxConcurrent = Math.max(report.maxConcurrent, inFlight);
        break;
      case 'apply_complete':
        inFlight--;
        completed.set(addr!, [...(completed.get(addr!) ?? []), m.hook!.action!]);
        break;
      case 'apply_errored':
        inFlight--;
        errored.set(addr!, m.hook!.action!);
        break;
      case 'provision_start':
        report.provisionerRuns++;
        report.provisionerRunsByResource[L(addr!)] = (report.provisionerRunsByResource[L(addr!)] ?? 0) + 1;
        break;
      case 'provision_progress':
        output.set(addr!, [...(output.get(addr!) ?? []), m.hook!.output ?? '']);
        break;
      case 'diagnostic':
        if (m.diagnostic!.severity === 'warning' && /on_failure|continue/i.test(`${m.diagnostic!.summary} ${m.diagnostic!.detail ?? ''}`)) {
          report.continuedFailures.push(`${m.diagnostic!.summary}: ${m.diagnostic!.detail ?? ''}`);
        }
        break;
      default:
        break;
    }
  }
  const errors = o.messages.filter((m) => m.type === 'diagnostic' && m.diagnostic!.severity === 'error').map((m) => m.diagnostic!);
  for (const [address, p] of planned) {
    const done = completed.get(address) ?? [];
    if (p.action === 'delete') {
      if (!done.includes('delete')) continue;
      const withoutProvisioners = p.reason === 'delete_because_no_resource_config' || (o.command === 'destroy' && o.taintedBefore.has(address));
      (withoutProvisioners ? report.removedWithoutProvisioners : report.destroyed).push(L(address));
    } else if (done.includes('create')) {
      (p.action === 'create' ? report.created : report.replaced).push(L(address));
    }
    if (!started.has(address)) report.notStarted.push(L(address));
  }
  for (const [address, action] of errored) {
    // Terraform's diagnostics name the resource in `address` (and its text in summary/detail).
    const about = errors.filter((d) => d.address === address || `${d.summary}\n${d.detail ?? ''}`.includes(address));
    report.failures.push({
      address: L(address),
      phase: action === 'delete' ? 'destroy' : 'create',
      message: about.map((d) => `${d.summary}: ${d.detail ?? ''}`.trim()).join('\n') || `${address}: ${action} failed`,
      output: (output.get(address) ?? []).join('\n').slice(-16_384),
    });
  }
  // Errors about no resource (configuration, provider, connection to the double): the stack failed.
  const unclaimed = errors.filter((d) => ![...errored.keys()].some((a) => d.address === a || `${d.summary}\n${d.detail ?? ''}`.includes(a)));
  if (o.exitCode !== 0 && errored.size === 0) {
    report.failures.push({ address: L('(stack)'), phase: o.command === 'destroy' ? 'destroy' : 'create',
      message: unclaimed.map((d) => `${d.summary}: ${d.detail ?? ''}`).join('\n') || `terraform ${o.command} exited ${o.exitCode}`, output: '' });
  }
  const changed = new Set(planned.keys());
  report.unchanged.push(...o.after.addresses.filter((a) => !changed.has(a)).map(L));
  report.tainted.push(...o.after.tainted.map(L));
  if (o.exitCode !== 0) report.ok = false;
}
