// FreeBsdHost without a pinned host key: Terraform's SSH connection then checks no key at all.
// That is either a deliberate choice (insecureAcceptAnyHostKey) or a synth-time warning that
// says how to pin the key; a pinned key and the choice to accept any key at once is refused.
import { Testing, TerraformStack } from 'cdktf';
import { FreeBsdHost, FreeBsdHostProps, HostStep } from '../../lib';
import { NotebookStack } from '../../examples/notebook/main';
import { VnetLabStack } from '../../examples/vnet-lab/main';
import { messageOf } from '../support/errors';
import { nullResources } from '../support/synth';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyOfTheJailHostForTests0000000000000000';
const BASTION_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBastionKeyForTests00000000000000000000000';

/** A stack with one host `test/host` and one step on it. */
function hostStack(props: Partial<FreeBsdHostProps>): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  const host = new FreeBsdHost(stack, 'host', { address: '192.0.2.10', ...props });
  new HostStep(stack, 'step', { host, description: 'step', create: ['true'] });
  return stack;
}

/** The warnings cdktf collected on a stack after synthesis (what `cdktf synth` prints), by construct path. */
function warnings(stack: TerraformStack): { path: string; text: string }[] {
  Testing.synth(stack);
  return stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => ({ path: c.node.path, text: String(m.data) })));
}

describe('a host without a pinned key', () => {
  test('warns once, on the host, naming its path and address, and says how to pin the key or accept any on purpose', () => {
    const found = warnings(hostStack({ port: 2222 }));
    expect(found).toHaveLength(1);
    const [w] = found;
    expect(w.path).toBe('test/host');
    expect(w.text).toMatch(/^test\/host: the SSH host key of the host 192\.0\.2\.10 is not pinned: /);
    // What it means, and both ways out.
    expect(w.text).toContain('accepts any key');
    expect(w.text).toContain('man in the middle');
    expect(w.text).toContain('`ssh-keyscan -t ed25519 -p 2222 192.0.2.10`');
    expect(w.text).toContain('"ssh-ed25519 AAAA..." part as hostKey');
    expect(w.text).toContain('insecureAcceptAnyHostKey: true');
    expect(w.text).not.toContain('bastion');
  });

  test('the hint uses the default port 22', () => {
    expect(warnings(hostStack({}))[0].text).toContain('`ssh-keyscan -t ed25519 -p 22 192.0.2.10`');
  });

  test('a pinned key: no warning, and the connection checks it', () => {
    const stack = hostStack({ hostKey: HOST_KEY });
    expect(warnings(stack)).toEqual([]);
    const step = nullResources(stack).find((r) => r.name.startsWith('step'))!;
    expect(step.triggers.host_key).toBe(HOST_KEY);
    expect(step.connection.host_key).toBe('${self.triggers.host_key}');
  });

  test('insecureAcceptAnyHostKey: no warning (the choice is deliberate), and the connection checks no key, as before', () => {
    const stack = hostStack({ insecureAcceptAnyHostKey: true });
    expect(warnings(stack)).toEqual([]);
    const step = nullResources(stack).find((r) => r.name.startsWith('step'))!;
    expect(step.connection).not.toHaveProperty('host_key');
    expect((stack.node.findChild('host') as FreeBsdHost).insecureAcceptAnyHostKey).toBe(true);
  });

  test('insecureAcceptAnyHostKey: false is the default: it still warns', () => {
    const stack = hostStack({ insecureAcceptAnyHostKey: false });
    expect(warnings(stack).map((w) => w.path)).toEqual(['test/host']);
    expect((stack.node.findChild('host') as FreeBsdHost).insecureAcceptAnyHostKey).toBe(false);
  });

  test('a pinned key and insecureAcceptAnyHostKey at once is a contradiction: refused with the path, both props and the way out', () => {
    const message = messageOf(() => hostStack({ hostKey: HOST_KEY, insecureAcceptAnyHostKey: true }));
    expect(message).toBe(
      `test/host: invalid insecureAcceptAnyHostKey: true contradicts hostKey (${JSON.stringify(HOST_KEY)}), which pins the host's key; ` +
      'give hostKey to check the key, or insecureAcceptAnyHostKey to accept any key, not both',
    );
  });

  test('a pinned key with insecureAcceptAnyHostKey: false is no contradiction', () => {
    expect(warnings(hostStack({ hostKey: HOST_KEY, insecureAcceptAnyHostKey: false }))).toEqual([]);
  });
});

describe('a bastion without a pinned key', () => {
  test('warns on its own, naming bastion.address and the bastion props, beside the host\'s warning', () => {
    const found = warnings(hostStack({ bastion: { address: 'jump.example.org', port: 2200 } }));
    expect(found.map((w) => w.path)).toEqual(['test/host', 'test/host']);
    const bastion = found.filter((w) => w.text.includes('jump.example.org'));
    expect(bastion).toHaveLength(1);
    const { text } = bastion[0];
    expect(text).toMatch(/^test\/host: the SSH host key of the bastion jump\.example\.org is not pinned: /);
    expect(text).toContain('`ssh-keyscan -t ed25519 -p 2200 jump.example.org`');
    expect(text).toContain('part as bastion.hostKey');
    expect(text).toContain('bastion.insecureAcceptAnyHostKey: true');
  });

  test('the host pinned, the bastion not: only the bastion warns', () => {
    const found = warnings(hostStack({ hostKey: HOST_KEY, bastion: { address: 'jump.example.org' } }));
    expect(found).toEqual([{ path: 'test/host', text: expect.stringContaining('the SSH host key of the bastion jump.example.org is not pinned') }]);
    expect(found[0].text).toContain('`ssh-keyscan -t ed25519 -p 22 jump.example.org`');
  });

  test('the bastion pinned, the host not: only the host warns', () => {
    const found = warnings(hostStack({ bastion: { address: 'jump.example.org', hostKey: BASTION_KEY } }));
    expect(found).toEqual([{ path: 'test/host', text: expect.stringContaining('the SSH host key of the host 192.0.2.10 is not pinned') }]);
  });

  test('both pinned: no warning, and the connection checks both keys', () => {
    const stack = hostStack({ hostKey: HOST_KEY, bastion: { address: 'jump.example.org', hostKey: BASTION_KEY } });
    expect(warnings(stack)).toEqual([]);
    const step = nullResources(stack).find((r) => r.name.startsWith('step'))!;
    expect(step.triggers.bastion_host_key).toBe(BASTION_KEY);
    expect(step.connection.bastion_host_key).toBe('${self.triggers.bastion_host_key}');
  });

  test('bastion.insecureAcceptAnyHostKey: no bastion warning; the host\'s own choice is separate', () => {
    expect(warnings(hostStack({ hostKey: HOST_KEY, bastion: { address: 'jump.example.org', insecureAcceptAnyHostKey: true } }))).toEqual([]);
    // Accepting any key of the host says nothing about the bastion, and the other way round.
    const hostOnly = warnings(hostStack({ insecureAcceptAnyHostKey: true, bastion: { address: 'jump.example.org' } }));
    expect(hostOnly.map((w) => w.text)).toEqual([expect.stringContaining('the SSH host key of the bastion jump.example.org')]);
    const bastionOnly = warnings(hostStack({ bastion: { address: 'jump.example.org', insecureAcceptAnyHostKey: true } }));
    expect(bastionOnly.map((w) => w.text)).toEqual([expect.stringContaining('the SSH host key of the host 192.0.2.10')]);
  });

  test('bastion.hostKey and bastion.insecureAcceptAnyHostKey at once is refused, naming both bastion props', () => {
    const message = messageOf(() => hostStack({ hostKey: HOST_KEY, bastion: { address: 'jump.example.org', hostKey: BASTION_KEY, insecureAcceptAnyHostKey: true } }));
    expect(message).toBe(
      `test/host: invalid bastion.insecureAcceptAnyHostKey: true contradicts bastion.hostKey (${JSON.stringify(BASTION_KEY)}), which pins the bastion's key; ` +
      'give bastion.hostKey to check the key, or bastion.insecureAcceptAnyHostKey to accept any key, not both',
    );
  });
});

describe('the examples', () => {
  test('pin the host key given in FREEBSD_HOST_KEY: no warning', () => {
    expect(warnings(new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10', FREEBSD_HOST_KEY: HOST_KEY }))).toEqual([]);
    expect(warnings(new VnetLabStack(Testing.app(), 'lab', { FREEBSD_HOST: '192.0.2.10', FREEBSD_HOST_KEY: HOST_KEY }))).toEqual([]);
  });

  test('without FREEBSD_HOST_KEY they warn that the host is not pinned (they never accept any key on purpose)', () => {
    expect(warnings(new NotebookStack(Testing.app(), 'notebook', { FREEBSD_HOST: '192.0.2.10' }))).toEqual([
      { path: 'notebook/host', text: expect.stringContaining('the SSH host key of the host 192.0.2.10 is not pinned') },
    ]);
  });
});
