/**
 * lib/host/synth-hook.ts holds the library's one import of a private cdktf module. After a
 * framework upgrade this says whether it still holds: the module is there with its function,
 * and a synth of a real app still runs it, writing the files into the stack's folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { writeAtSynth } from '../../lib/host/synth-hook';

test("the installed cdktf still has the private synth hook, as a function", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const synthesizer = require('cdktf/lib/synthesize/synthesizer');
  expect(typeof synthesizer.addCustomSynthesis).toBe('function');
});

test('a synth runs it: the file is in the stack folder with its content and mode, made after every construct bound', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-hook-'));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'hooked');
    const names: string[] = [];
    const marker = new Construct(stack, 'marker');
    writeAtSynth(marker, stack, 'sub/dir/names.txt', () => names.join(','), 0o750);
    // Bound after the hook was registered: the content is taken at synth, so it is included.
    names.push('a', 'b');
    app.synth();
    const file = path.join(outdir, 'stacks', 'hooked', 'sub', 'dir', 'names.txt');
    expect(fs.readFileSync(file, 'utf8')).toBe('a,b');
    expect(fs.statSync(file).mode & 0o777).toBe(0o750);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
