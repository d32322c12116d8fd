/**
 * Figures of an e2e file: which scenarios passed, and measured numbers, printed as a table
 * in afterAll. Numbers are printed, never asserted (times vary with the machine).
 *
 *   const figures = new Figures('scenarios on examples/notebook');
 *   figures.scenario('1. fresh apply', async () => { ... });   // a jest test that is counted
 *   figures.row('fresh apply', { resources: 9, 'ms': 8200 });
 *   afterAll(() => figures.print());
 */
import { RunReport } from '../runner';

type Cell = string | number;

export class Figures {
  private readonly passed: string[] = [];
  private readonly failed: string[] = [];
  private readonly rows: { label: string; cells: Record<string, Cell> }[] = [];
  private readonly notes: string[] = [];
  private readonly bugs: string[] = [];

  constructor(private readonly title: string) {}

  /** A jest test whose outcome is counted in the printed figures. */
  public scenario(name: string, fn: () => Promise<void>, timeoutMs = 300_000): void {
    test(name, async () => {
      try {
        await fn();
        this.passed.push(name);
      } catch (e) {
        this.failed.push(name);
        throw e;
      }
    }, timeoutMs);
  }

  /**
   * A scenario that reproduces a known bug: a jest `test.failing`, green while the bug is there.
   * When the bug is fixed the test turns red: make it a plain scenario then.
   */
  public knownBug(name: string, bug: string, fn: () => Promise<void>, timeoutMs = 300_000): void {
    test.failing(`${name} [known bug: ${bug}]`, async () => {
      try {
        await fn();
      } catch (e) {
        this.bugs.push(`${name}: ${bug}`);
        throw e;
      }
    }, timeoutMs);
  }

  public row(label: string, cells: Record<string, Cell>): void {
    this.rows.push({ label, cells });
  }

  public note(text: string): void {
    this.notes.push(text);
  }

  public render(): string {
    const lines = [`== e2e figures: ${this.title}`, `scenarios passed: ${this.passed.length}/${this.passed.length + this.failed.length}`];
    for (const f of this.failed) lines.push(`  FAILED: ${f}`);
    if (this.bugs.length > 0) lines.push(`known bugs reproduced (test.failing): ${this.bugs.length}`, ...this.bugs.map((b) => `  BUG: ${b}`));
    const columns = [...new Set(this.rows.flatMap((r) => Object.keys(r.cells)))];
    if (columns.length > 0) {
      const table = [['', ...columns], ...this.rows.map((r) => [r.label, ...columns.map((c) => String(r.cells[c] ?? ''))])];
      const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
      for (const row of table) lines.push(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
    }
    lines.push(...this.notes.map((n) => `note: ${n}`));
    return lines.join('\n');
  }

  public print(): void {
    // eslint-disable-next-line no-console
    console.log(this.render());
  }
}

/** The cells every apply row shares (from Terraform's -json output and the host's sshd log). */
export function runCells(report: RunReport, commands: number): Record<string, Cell> {
  return {
    'provisioner runs': report.provisionerRuns,
    'ssh connections': report.sshConnections,
    'ssh sessions': report.sshSessions,
    'host commands': commands,
    // init + apply (or destroy) + show, and the apply command alone.
    'wall ms': report.durationMs,
    'apply ms': report.applyMs,
  };
}
