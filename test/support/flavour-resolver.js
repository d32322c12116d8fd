/**
 * Jest's module resolver when FLAVOUR names a flavour of flavours/ (FLAVOUR=cdktn): the tests,
 * the examples and the end-to-end scenarios run unchanged on that flavour's build
 * (scripts/build-flavour.sh FLAVOUR). Every module that resolves to a file of this tree's lib/
 * is loaded from flavours/FLAVOUR/.build/package/lib/ instead, `cdktf` (and `cdktf/...`) is the
 * flavour's framework, and `constructs` the flavour's; whatever asks for them, a test, the
 * library or a package such as @cdktf/provider-null. Nothing else is redirected.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib') + path.sep;
const FLAVOUR = process.env.FLAVOUR;
const FLAVOUR_DIR = path.join(ROOT, 'flavours', FLAVOUR ?? '');
/** Where the flavour's framework and constructs are installed. */
const INSTALLED = path.join(FLAVOUR_DIR, '.build');
const BUILD_LIB = path.join(INSTALLED, 'package', 'lib') + path.sep;
const FRAMEWORK = FLAVOUR && JSON.parse(fs.readFileSync(path.join(FLAVOUR_DIR, 'package.json'), 'utf8')).flavour.framework;

if (FLAVOUR && !fs.existsSync(path.join(BUILD_LIB, 'index.js'))) {
  throw new Error(`FLAVOUR=${FLAVOUR}: ${BUILD_LIB} is not built: run scripts/build-flavour.sh ${FLAVOUR} first`);
}

module.exports = (request, options) => {
  if (request === 'cdktf' || request.startsWith('cdktf/')) {
    return options.defaultResolver(FRAMEWORK + request.slice('cdktf'.length), { ...options, basedir: INSTALLED });
  }
  if (request === 'constructs') return options.defaultResolver(request, { ...options, basedir: INSTALLED });
  const resolved = options.defaultResolver(request, options);
  return resolved.startsWith(LIB) ? BUILD_LIB + resolved.slice(LIB.length) : resolved;
};
