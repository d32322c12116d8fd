'use strict';
// Just enough of sh(1) to read rc.conf-style files (NAME=value lines with quotes and
// $var expansion) and to edit them the way sysrc(8) does: change the last line that
// assigns the variable, append otherwise, never touch other lines or comments.
const fs = require('fs');

/** Parse one sh word starting at s[i]; returns { value, end }. */
function shWord(s, i, vars) {
  let v = '';
  while (i < s.length && !/[\s;#]/.test(s[i])) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) throw new Error('unterminated quoted string');
      v += s.slice(i + 1, j);
      i = j + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '$`"\\\n'.includes(s[i + 1])) { v += s[i + 1]; i += 2; continue; }
        if (s[i] === '$') { const r = expand(s, i, vars); v += r.value; i = r.end; continue; }
        v += s[i++];
      }
      if (s[i] !== '"') throw new Error('unterminated quoted string');
      i++;
    } else if (c === '\\') {
      v += s[i + 1] || '';
      i += 2;
    } else if (c === '$') {
      const r = expand(s, i, vars);
      v += r.value;
      i = r.end;
    } else {
      v += c;
      i++;
    }
  }
  return { value: v, end: i };
}

function expand(s, i, vars) {
  let m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(s.slice(i)) || /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i));
  if (!m) return { value: '$', end: i + 1 };
  return { value: vars[m[1]] ?? '', end: i + m[0].length };
}

/** All assignments in text: [{ name, value, line, start, end }] (start/end: span of NAME=word in the line). */
function assignments(text, vars = {}) {
  const res = [];
  const lines = text.split('\n');
  lines.forEach((line, idx) => {
    let i = 0;
    for (;;) {
      while (i < line.length && /[\s;]/.test(line[i])) i++;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line.slice(i));
      if (!m) break;
      const start = i;
      const w = shWord(line, i + m[0].length, vars);
      vars[m[1]] = w.value;
      res.push({ name: m[1], value: w.value, line: idx, start, end: w.end });
      i = w.end;
    }
  });
  return res;
}

/** Values after sourcing the files in order (missing files are skipped). */
function source(files, base = {}) {
  const vars = { ...base };
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    assignments(fs.readFileSync(f, 'utf8'), vars);
  }
  return vars;
}

const quote = (v) => '"' + v.replace(/([\\"$`])/g, '\\$1') + '"';

/** Set NAME in file as sysrc does. Returns true if the file changed. */
function setVar(file, name, value) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const as = assignments(text).filter((a) => a.name === name);
  let next;
  if (as.length) {
    const last = as[as.length - 1];
    if (last.value === value) return false;
    const lines = text.split('\n');
    const l = lines[last.line];
    lines[last.line] = l.slice(0, last.start) + `${name}=${quote(value)}` + l.slice(last.end);
    next = lines.join('\n');
  } else {
    next = (text === '' || text.endsWith('\n') ? text : text + '\n') + `${name}=${quote(value)}\n`;
  }
  fs.writeFileSync(file, next);
  return true;
}

/** Remove every line assigning NAME (sysrc -x). Returns true if found. */
function deleteVar(file, name) {
  if (!fs.existsSync(file)) return false;
  const text = fs.readFileSync(file, 'utf8');
  const hit = new Set(assignments(text).filter((a) => a.name === name).map((a) => a.line));
  if (!hit.size) return false;
  fs.writeFileSync(file, text.split('\n').filter((_, i) => !hit.has(i)).join('\n'));
  return true;
}

module.exports = { assignments, source, setVar, deleteVar, shWord };
