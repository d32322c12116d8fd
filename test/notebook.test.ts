/**
 * The synthesized notebook example as a snapshot: a second line of defence behind the
 * semantic tests, so any change of generated Terraform is seen in review.
 */
import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest'; // types of toBeValidTerraform
import { NotebookStack } from '../examples/notebook/main';
import { HostStep } from '../lib';
import { NullProvider, nullProvider } from './e2e/provider/launch';
import { terraformBinary, terraformEnv } from './support/terraform';

const ENV = { FREEBSD_HOST: '192.0.2.10', FREEBSD_KEY_PATH: '/home/operator/.ssh/id_ed25519' };

test('notebook example synthesizes as before', () => {
  const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
  expect(JSON.parse(Testing.synth(stack))).toMatchSnapshot();
});

/**
 * cdktf's matchers run `terraform init` and `validate` / `plan` with process.env: the null
 * provider is the test double, reattached, so no registry is needed.
 */
const terraform = terraformBinary();
if (!terraform.binary) console.warn(`SKIPPED: toBeValidTerraform, toPlanSuccessfully: ${terraform.reason}`);
(terraform.binary ? describe : describe.skip)('the notebook through Terraform with the null provider double', () => {
  let provider: NullProvider;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    provider = await nullProvider();
    const env = terraformEnv(provider.reattach);
    for (const k of ['TF_CLI_CONFIG_FILE', 'CHECKPOINT_DISABLE', 'TF_IN_AUTOMATION', 'TF_INPUT', 'TF_REATTACH_PROVIDERS']) {
      saved[k] = process.env[k];
      process.env[k] = env[k];
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });

  test('notebook example is valid Terraform', () => {
    const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
    expect(Testing.fullSynth(stack)).toBeValidTerraform();
  }, 120_000);

  test('notebook example plans successfully', () => {
    const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
    expect(Testing.fullSynth(stack)).toPlanSuccessfully();
  }, 120_000);

  test('the matchers check against the double\'s schema: an argument null_resource does not have is invalid', () => {
    const stack = new NotebookStack(Testing.app(), 'notebook', ENV);
    const step = stack.node.findAll().find((c) => c instanceof HostStep) as HostStep;
    step.nullResource.addOverride('no_such_argument', 'x');
    expect(Testing.fullSynth(stack)).not.toBeValidTerraform();
  }, 120_000);
});
