// cdktf's jest matchers (toHaveResource, toBeValidTerraform, ...) for every test file.
const { Testing } = require('cdktf');
Testing.setupJest();

// This machine's NODE_EXTRA_CA_CERTS makes every Node start parse a CA bundle (measured: about
// 45 ms of CPU per start idle, 200 ms under load), and the unit tests start a fake FreeBSD shim
// (Node) for every command they run. No test makes a TLS connection: the children go without it.
delete process.env.NODE_EXTRA_CA_CERTS;
