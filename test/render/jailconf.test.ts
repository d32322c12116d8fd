/** jail.conf(5) rendering: quoting, expressions, booleans, lists, +=, with adversarial values. */
import {
  jailConfExpression,
  jailConfLiteral,
  jailConfReferences,
  negatedParameterName,
  renderFstabLine,
  renderHostsLines,
  renderJailConfBlock,
  renderJailConfStatement,
} from '../../lib/render';
import { effectiveParameters, parseJailConf } from '../jail/jailconf-parser';

describe('literal values', () => {
  test.each([
    ['/vm/h1', '"/vm/h1"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['$name ${path}', '"\\$name \\${path}"'],
    ["it's", `"it's"`],
    ['', '""'],
    ['`reboot`;', '"`reboot`;"'],
  ])('%j renders as %s', (value, rendered) => {
    expect(jailConfLiteral(value)).toBe(rendered);
  });

  test.each(['a\nb', 'a\rb', 'nul\0', 'esc\x1b'])('%j (control character) is refused', (value) => {
    expect(() => jailConfLiteral(value)).toThrow(/single line/);
  });

  test('every adversarial literal reads back unchanged', () => {
    const nasty = ['"; exec.start = "reboot', '\\"', '}\nx {', '$', '${', '\\$name', 'a;b,c', "'", '/*', '# no comment'].filter((s) => !s.includes('\n'));
    for (const value of nasty) {
      const conf = renderJailConfBlock({ name: 'j', statements: [{ name: 'exec.start', values: [{ text: value }] }] });
      expect(effectiveParameters(parseJailConf(conf), 'j')['exec.start']).toEqual([value]);
    }
  });
});

describe('expressions', () => {
  test('references stay, other specials are escaped', () => {
    expect(jailConfExpression('/var/log/jail_${name}_console.log')).toBe('"/var/log/jail_${name}_console.log"');
    expect(jailConfExpression('cp /etc/resolv.conf $path/etc')).toBe('"cp /etc/resolv.conf $path/etc"');
    expect(jailConfExpression('echo "hi" \\n')).toBe('"echo \\"hi\\" \\\\n"');
    expect(jailConfExpression('cost \\$5')).toBe('"cost \\$5"');
    expect(jailConfReferences('$name ${ip4.addr} $path/x')).toEqual(['name', 'ip4.addr', 'path']);
  });

  test.each(['5$', '$', '${', '${}', '$ name', '${a b}'])('%j has a stray $ and is refused', (value) => {
    expect(() => jailConfExpression(value)).toThrow(/starts no \$name/);
  });

  test('an expression reads back with its references expanded', () => {
    const conf = renderJailConfBlock({
      name: 'h1',
      statements: [
        { name: 'path', values: [{ text: '/vm/h1' }] },
        { name: 'exec.prestart', values: [{ text: 'echo "$name" in ${path} costs \\$1', expression: true }] },
      ],
    });
    expect(effectiveParameters(parseJailConf(conf), 'h1')['exec.prestart']).toEqual(['echo "h1" in /vm/h1 costs $1']);
  });
});

describe('statements', () => {
  test('booleans, no-forms, lists and +=', () => {
    expect(renderJailConfStatement({ name: 'allow.chflags' })).toBe('allow.chflags;');
    expect(renderJailConfStatement({ name: 'allow.mount', flag: false })).toBe('allow.nomount;');
    expect(renderJailConfStatement({ name: 'persist', flag: false })).toBe('nopersist;');
    expect(negatedParameterName('allow.mount.nullfs')).toBe('allow.mount.nonullfs');
    expect(renderJailConfStatement({ name: 'ip4.addr', values: [{ text: 'lo1|127.1.1.1/32' }, { text: 'lo1|127.1.1.2' }] })).toBe(
      'ip4.addr = "lo1|127.1.1.1/32", "lo1|127.1.1.2";',
    );
    expect(renderJailConfStatement({ name: 'exec.start', append: true, values: [{ text: 'x' }] })).toBe('exec.start += "x";');
  });

  test.each(['Exec.start', 'exec..start', 'exec.start;', 'a b', '', '.x', 'x=y'])('parameter name %j is refused', (name) => {
    expect(() => renderJailConfStatement({ name })).toThrow(/not a jail parameter name/);
  });

  test('an empty value list is refused', () => {
    expect(() => renderJailConfStatement({ name: 'depend', values: [] })).toThrow(/at least one value/);
  });

  test.each(['12', 'a.b', 'a-b', 'a b', '', '*'])('block name %j is refused', (name) => {
    expect(() => renderJailConfBlock({ name, statements: [] })).toThrow(/not a jail name/);
  });

  test('header comments cannot break out of their line', () => {
    expect(() => renderJailConfBlock({ name: 'j', header: ['ok\nj2 { persist; }'], statements: [] })).toThrow(/single line/);
  });
});

describe('fstab and hosts', () => {
  test('fstab fields with spaces or # are refused', () => {
    expect(renderFstabLine({ device: '/usr/ports', mountPoint: '/vm/h1/usr/ports', type: 'nullfs', options: 'ro' })).toBe('/usr/ports /vm/h1/usr/ports nullfs ro 0 0');
    expect(() => renderFstabLine({ device: '/a b', mountPoint: '/m', type: 'nullfs', options: 'ro' })).toThrow(/without spaces/);
    expect(() => renderFstabLine({ device: '#x', mountPoint: '/m', type: 'nullfs', options: 'ro' })).toThrow(/without spaces or #/);
  });

  test('hosts lines', () => {
    expect(renderHostsLines([{ address: 'fd00:1:1:1::1', names: ['h1'] }, { address: '127.1.1.1', names: ['h1', 'h1.example.org'] }])).toBe(
      'fd00:1:1:1::1 h1\n127.1.1.1 h1 h1.example.org',
    );
    expect(() => renderHostsLines([{ address: '127.1.1.1', names: ['bad name'] }])).toThrow(/not a host name/);
    expect(() => renderHostsLines([{ address: 'h1', names: ['h1'] }])).toThrow(/not an IP address/);
  });
});
