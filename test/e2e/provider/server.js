'use strict';
/**
 * The null provider test double as a gRPC server (plugin protocol 5), to be handed to
 * Terraform with TF_REATTACH_PROVIDERS as an unmanaged provider: Terraform then neither
 * installs nor starts it, and `terraform init` needs no registry and writes no lock entry.
 *
 *   node test/e2e/provider/server.js [--calls FILE]
 *     prints one line: {"addr":"127.0.0.1:PORT","pid":N,"reattach":{...}} and serves until killed.
 *     --calls FILE appends the name of every RPC Terraform makes, one a line.
 */
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const nr = require('./null-resource');

const PROVIDER_ADDRESS = 'registry.terraform.io/hashicorp/null';

function load(file) {
  return grpc.loadPackageDefinition(protoLoader.loadSync(path.join(__dirname, file), {
    keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true, bytes: Buffer,
  }));
}

const dv = (value) => ({ msgpack: nr.encodeValue(value) });
const fromDv = (v) => {
  if (!v) return null;
  if (v.msgpack && v.msgpack.length > 0) return nr.decodeValue(v.msgpack);
  if (v.json && v.json.length > 0) return JSON.parse(Buffer.from(v.json).toString('utf8'));
  return null;
};
const attrPath = (names) => ({ steps: names.map((n) => ({ attribute_name: n })) });

/** The Provider service: every RPC a null_resource needs; `record` sees each call's name. */
function providerService(record) {
  const unary = (name, fn) => (call, callback) => {
    record(name);
    try {
      callback(null, fn(call.request));
    } catch (e) {
      callback(null, { diagnostics: [nr.error(`null provider double: ${name} failed`, String(e && e.stack || e))] });
    }
  };
  const capabilities = { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false };
  return {
    GetMetadata: unary('GetMetadata', () => ({ server_capabilities: capabilities, resources: [{ type_name: nr.TYPE_NAME }] })),
    GetSchema: unary('GetProviderSchema', () => ({
      provider: nr.PROVIDER_SCHEMA, resource_schemas: { [nr.TYPE_NAME]: nr.RESOURCE_SCHEMA }, data_source_schemas: {},
      server_capabilities: capabilities,
    })),
    PrepareProviderConfig: unary('ValidateProviderConfig', (req) => ({ prepared_config: req.config })),
    ValidateResourceTypeConfig: unary('ValidateResourceTypeConfig', (req) => ({
      diagnostics: [...nr.checkType(req.type_name), ...nr.validate(fromDv(req.config))],
    })),
    ValidateDataSourceConfig: unary('ValidateDataSourceConfig', (req) => ({
      diagnostics: [nr.error(`Unknown data source ${req.type_name}`, 'this null provider double has no data sources')],
    })),
    UpgradeResourceState: unary('UpgradeResourceState', (req) => {
      const bad = nr.checkType(req.type_name);
      if (bad.length > 0) return { diagnostics: bad };
      const r = nr.upgrade(Number(req.version ?? 0), req.raw_state);
      return r.diagnostics.length > 0 ? { diagnostics: r.diagnostics } : { upgraded_state: dv(r.state) };
    }),
    Configure: unary('ConfigureProvider', () => ({})),
    ReadResource: unary('ReadResource', (req) => ({ new_state: req.current_state, private: req.private })),
    PlanResourceChange: unary('PlanResourceChange', (req) => {
      const bad = nr.checkType(req.type_name);
      if (bad.length > 0) return { diagnostics: bad };
      const r = nr.plan(fromDv(req.prior_state), fromDv(req.proposed_new_state));
      return { planned_state: dv(r.planned), requires_replace: r.requiresReplace.map(attrPath), planned_private: req.prior_private };
    }),
    ApplyResourceChange: unary('ApplyResourceChange', (req) => {
      const bad = nr.checkType(req.type_name);
      if (bad.length > 0) return { diagnostics: bad };
      const r = nr.apply(fromDv(req.prior_state), fromDv(req.planned_state));
      return r.diagnostics.length > 0 ? { diagnostics: r.diagnostics } : { new_state: dv(r.newState), private: req.planned_private };
    }),
    ImportResourceState: unary('ImportResourceState', () => ({
      // terraform-provider-null's null_resource implements no import either.
      diagnostics: [nr.error('Resource Import Not Implemented', 'null_resource does not support import')],
    })),
    GetFunctions: unary('GetFunctions', () => ({})),
    Stop: unary('StopProvider', () => ({ Error: '' })),
  };
}

/** Starts the server on 127.0.0.1 (a free port unless given); resolves with its address. */
function startServer(opts = {}) {
  const calls = [];
  const record = (name) => {
    calls.push(name);
    if (opts.callsFile) fs.appendFileSync(opts.callsFile, `${name}\n`);
  };
  const tf = load('tfplugin5-subset.proto');
  const goPlugin = load('go-plugin-subset.proto');
  const health = load('health.proto');
  const server = new grpc.Server();
  server.addService(tf.tfplugin5.Provider.service, providerService(record));
  server.addService(health.grpc.health.v1.Health.service, {
    Check: (_call, cb) => cb(null, { status: 'SERVING' }),
  });
  server.addService(goPlugin.plugin.GRPCBroker.service, {
    // The broker brokers extra connections a plugin may ask for; this one asks for none.
    StartStream: (call) => { call.on('data', () => {}); call.on('end', () => call.end()); call.on('error', () => {}); },
  });
  server.addService(goPlugin.plugin.GRPCController.service, {
    // Test mode: the process that started the double stops it, not Terraform.
    Shutdown: (_call, cb) => { record('Shutdown'); cb(null, {}); },
  });
  return new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${opts.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return reject(err);
      resolve({
        port,
        calls,
        reattach: reattachConfig(port, process.pid),
        close: () => new Promise((r) => server.tryShutdown(() => r())),
      });
    });
  });
}

/** The TF_REATTACH_PROVIDERS value for a double listening on `port` in process `pid`. */
function reattachConfig(port, pid) {
  return { [PROVIDER_ADDRESS]: { Protocol: 'grpc', ProtocolVersion: 5, Pid: pid, Test: true, Addr: { Network: 'tcp', String: `127.0.0.1:${port}` } } };
}

module.exports = { startServer, reattachConfig, PROVIDER_ADDRESS };

if (require.main === module) {
  const i = process.argv.indexOf('--calls');
  startServer({ callsFile: i > 0 ? process.argv[i + 1] : undefined }).then((s) => {
    process.stdout.write(`${JSON.stringify({ addr: `127.0.0.1:${s.port}`, pid: process.pid, reattach: s.reattach })}\n`);
  }, (e) => {
    process.stderr.write(`null provider double: ${e.message}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(0));
}
