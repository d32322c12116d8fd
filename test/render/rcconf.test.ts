import { renderMakeConf, renderRcConf } from '../../lib/render';
import { sh } from '../support/sh';

describe('renderRcConf', () => {
  test('renders the notebook template rc.conf', () => {
    expect(renderRcConf({ cron_enable: 'NO', syslogd_flags: '-ss' })).toBe('cron_enable="NO"\nsyslogd_flags="-ss"\n');
  });

  test('values survive being sourced by sh', () => {
    const value = 'a "quoted" $HOME `id` back\\slash \'single\'';
    const text = renderRcConf({ weird_flags: value });
    expect(sh(`${text}\nprintf '%s' "$weird_flags"`)).toBe(value);
  });

  test('refuses bad names and multi-line values', () => {
    expect(() => renderRcConf({ 'bad-name': 'x' })).toThrow(/shell variable name/);
    expect(() => renderRcConf({ ok: 'two\nlines' })).toThrow(/single line/);
  });

  test('a header becomes comment lines', () => {
    expect(renderRcConf({ a: 'b' }, 'one\ntwo')).toBe('# one\n# two\na="b"\n');
  });
});

describe('renderMakeConf', () => {
  test('renders the notebook make.conf', () => {
    expect(renderMakeConf({ WRKDIRPREFIX: '/var/ports', DISTDIR: '/var/ports/distfiles' })).toBe(
      'WRKDIRPREFIX = /var/ports\nDISTDIR = /var/ports/distfiles\n',
    );
  });
});
