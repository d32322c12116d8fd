// FLAVOUR=cdktn: the run is on that flavour's build and framework, or it stops here.
if (process.env.FLAVOUR) {
  const framework = require('cdktf/package.json').name;
  const lib = require.resolve('../lib');
  const expected = require(`../flavours/${process.env.FLAVOUR}/package.json`).flavour.framework;
  if (framework !== expected || !lib.includes(`/flavours/${process.env.FLAVOUR}/.build/package/lib/`)) {
    throw new Error(`FLAVOUR=${process.env.FLAVOUR}, but the tests load ${framework} and ${lib}`);
  }
}

// cdktf's jest matchers (toHaveResource, toBeValidTerraform, ...) for every test file.
const { Testing } = require('cdktf');
Testing.setupJest();

// This machine's NODE_EXTRA_CA_CERTS makes every Node start parse a CA bundle (measured: about
// 45 ms of CPU per start idle, 200 ms under load), and the unit tests start a fake FreeBSD shim
// (Node) for every command they run. No test makes a TLS connection: the children go without it.
delete process.env.NODE_EXTRA_CA_CERTS;
