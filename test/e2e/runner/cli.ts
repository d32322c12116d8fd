/**
 * The plan runner from a shell:
 *   npx tsx test/e2e/runner/cli.ts apply|destroy|plan --out cdktf.out --state state.json [--stack NAME] [--parallelism N] [--quiet]
 * Prints the report as JSON; exit status 1 when the run failed, 2 on usage errors.
 */
import { destroyAll, plan, planAndApply } from './index';

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: cli.ts apply|destroy|plan --out DIR --state FILE [--stack NAME]... [--parallelism N] [--quiet]\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let out = 'cdktf.out';
  let state: string | undefined;
  let parallelism: number | undefined;
  let quiet = false;
  const stacks: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const value = () => rest[++i] ?? usage(`${rest[i - 1]} needs a value`);
    switch (rest[i]) {
      case '--out': out = value(); break;
      case '--state': state = value(); break;
      case '--stack': stacks.push(value()); break;
      case '--parallelism': parallelism = Number(value()); break;
      case '--quiet': quiet = true; break;
      default: usage(`unknown argument ${rest[i]}`);
    }
  }
  if (!state) usage('--state is required');
  const opts = { stacks: stacks.length ? stacks : undefined, parallelism, log: quiet ? undefined : (l: string) => process.stderr.write(`${l}\n`) };
  if (command === 'plan') {
    process.stdout.write(JSON.stringify(plan(out, state, opts), null, 2) + '\n');
    return 0;
  }
  if (command !== 'apply' && command !== 'destroy') usage(`unknown command ${command ?? ''}`);
  const report = await (command === 'apply' ? planAndApply : destroyAll)(out, state, opts);
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
