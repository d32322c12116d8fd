import * as fs from 'fs';
import * as path from 'path';
import { Elevation, renderScript, ScriptBuilder, SCRIPT_PATH } from '../../lib/shell';
import { sh, shResult, tempDir } from '../support/sh';

describe('renderScript', () => {
  const body = ['echo "user=$(id -u)"', "case x in x) echo 'case ok' ;; esac", 'echo "$0"'];

  // renderScript re-stores its text one byte per character when it can (a representation, not
  // the text): Latin-1 and wider characters come out exactly as given.
  test('the text is exactly its parts, with Latin-1 and wider characters', () => {
    for (const title of ['caf\u00e9 \u00ff', 'arrow \u2192 and \u{1F600}', 'plain']) {
      const lines = ['echo \'' + title + '\'', "printf '%s' 'x\u00e9'"];
      expect(renderScript(title, lines, Elevation.NONE)).toBe(`#!/bin/sh\nset -eu\nexport PATH=${SCRIPT_PATH}\necho '==> ${title}'\n${lines.join('\n')}\n`);
    }
  });

  test('root scripts start with the shebang, set -eu and an explicit PATH', () => {
    const lines = renderScript('demo', body, Elevation.NONE).split('\n');
    expect(lines[0]).toBe('#!/bin/sh');
    expect(lines).toContain('set -eu');
    expect(lines).toContain(`export PATH=${SCRIPT_PATH}`);
    expect(lines.indexOf('set -eu')).toBeLessThan(lines.indexOf(body[0]));
  });

  test('a failing command fails the script (set -e) and unset variables are errors (set -u)', () => {
    const dir = tempDir();
    const failing = path.join(dir, 'fail.sh');
    fs.writeFileSync(failing, renderScript('fail', ['false', 'echo not reached'], Elevation.NONE), { mode: 0o755 });
    const r = shResult(failing);
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('not reached');
    const unset = path.join(dir, 'unset.sh');
    fs.writeFileSync(unset, renderScript('unset', ['echo "$NOPE_NOT_SET"'], Elevation.NONE), { mode: 0o755 });
    expect(shResult(unset).status).not.toBe(0);
  });

  test.each([Elevation.SUDO, Elevation.DOAS])('%s runs the whole body in one elevated sh, literally', (elevation) => {
    const dir = tempDir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const log = path.join(dir, 'calls');
    // A stand-in for sudo/doas that records its calls and runs the command.
    fs.writeFileSync(path.join(bin, elevation), `#!/bin/sh\necho call >> ${log}\n[ "$1" = -n ] || exit 9\nshift\nexec "$@"\n`, { mode: 0o755 });
    const script = path.join(dir, 'step.sh');
    const text = renderScript('elevated', [...body, 'echo "$HOME" \'$HOME\' `echo tick`'], elevation);
    // The outer part sets its own PATH (sudo lives in /usr/local/bin on FreeBSD): put the stand-in first.
    fs.writeFileSync(script, text.replace(`PATH=${SCRIPT_PATH}`, `PATH=${bin}:${SCRIPT_PATH}`), { mode: 0o755 });
    const out = sh(script);
    expect(out).toContain('case ok');
    expect(out).toContain('==> elevated');
    expect(out).toContain('$HOME tick');
    // One elevation for the whole body.
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  test('refuses a body that contains the here-document terminator', () => {
    expect(() => renderScript('x', ['echo CDKTF_FREEBSD_JAILS_BODY_END'], Elevation.SUDO)).toThrow(/reserved/);
  });
});

describe('ScriptBuilder', () => {
  test('actions are announced by banner lines', () => {
    const b = new ScriptBuilder('build').action('first thing', 'true').action("it's second", 'true');
    const out = sh(b.render(Elevation.NONE));
    expect(out.split('\n').filter(Boolean)).toEqual(['==> build', '==> first thing', "==> it's second"]);
  });
});
