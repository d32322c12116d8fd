/**
 * The synthesized notebook example as a snapshot: a second line of defence behind the
 * semantic tests, so any change of generated Terraform is seen in review.
 */
import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest'; // types of toBeValidTerraform
import { NotebookStack } from '../examples/notebook/main';
import { terraformWithNullProvider } from './support/terraform';

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };

test('notebook example synthesizes as before', () => {
  const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
  expect(JSON.parse(Testing.synth(stack))).toMatchSnapshot();
});

const terraform = terraformWithNullProvider();
if (!terraform.binary) console.warn(`SKIPPED: toBeValidTerraform: ${terraform.reason}`);
(terraform.binary ? test : test.skip)('notebook example is valid Terraform', () => {
  const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
  expect(Testing.fullSynth(stack)).toBeValidTerraform();
});
