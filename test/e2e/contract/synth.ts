/**
 * Synthesizes the helper contract's app (./app.ts) with its placeholder connection into OUTDIR:
 * `tsx test/e2e/contract/synth.ts OUTDIR full|pruned`. Run by scripts/capture-helper-contract.sh
 * inside the tree of the build being captured.
 */
import { App } from 'cdktf';
import { CONTRACT_PLACEHOLDERS, contractApp, ContractVariant } from './app';

const [outdir, variant] = process.argv.slice(2);
if (!outdir || (variant !== 'full' && variant !== 'pruned')) {
  process.stderr.write('usage: tsx test/e2e/contract/synth.ts OUTDIR full|pruned\n');
  process.exit(64);
}
const app = new App({ outdir });
contractApp(app, CONTRACT_PLACEHOLDERS, variant as ContractVariant);
app.synth();
