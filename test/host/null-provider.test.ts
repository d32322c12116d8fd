/**
 * The library's own null provider and null_resource (lib/host/null-provider.ts) write what
 * @cdktf/provider-null 11.0.1, which cdktf apps install, writes for the same arguments: the same
 * JSON and HCL, so a stack made with either is the same stack, and the cdktn flavour (which has
 * no prebuilt provider package) writes what the cdktf flavour writes.
 */
import { provider, resource } from '@cdktf/provider-null';
import { Testing, TerraformStack } from 'cdktf';
import { NullProvider, NullResource, NullResourceConfig } from '../../lib/host/null-provider';

/** The same provider, and resources of every argument, made by the package's classes or the library's. */
function stack(madeBy: 'package' | 'library'): TerraformStack {
  const s = new TerraformStack(Testing.app(), 'nulls');
  const make = (id: string, config: NullResourceConfig) =>
    madeBy === 'package' ? new resource.Resource(s, id, config) : new NullResource(s, id, config);
  if (madeBy === 'package') new provider.NullProvider(s, 'null'); else new NullProvider(s, 'null');
  const first = make('first', { triggers: { a: '1', b: 'two words', c: '${self.id}' } });
  make('bare', {});
  make('second', {
    triggers: { first_id: (first as NullResource).id, empty: '' },
    dependsOn: [first],
    count: 2,
    lifecycle: { createBeforeDestroy: true, ignoreChanges: ['triggers'] },
    connection: { type: 'ssh', host: 'h.example.org', user: 'root', privateKey: '${file("k")}' },
    provisioners: [{ type: 'remote-exec', inline: ['#!/bin/sh', 'true'] }, { type: 'local-exec', command: 'echo done' }],
  });
  return s;
}

test('the provider block and every argument of null_resource synthesize to the same JSON as @cdktf/provider-null', () => {
  const ours = JSON.parse(Testing.synth(stack('library')));
  const theirs = JSON.parse(Testing.synth(stack('package')));
  expect(Object.keys(ours.resource.null_resource)).toEqual(['bare', 'first', 'second']);
  expect(ours.resource.null_resource.second.triggers.first_id).toBe('${null_resource.first.id}');
  expect(ours.resource.null_resource.second.count).toBe(2);
  expect(ours.provider).toEqual({ null: [{}] });
  expect(ours).toEqual(theirs);
  expect(Testing.synth(stack('library'))).toBe(Testing.synth(stack('package')));
});

test('and to the same HCL', () => {
  const ours = Testing.synthHcl(stack('library'));
  expect(ours).toContain('resource "null_resource" "second"');
  expect(ours).toMatch(/triggers = \{\s+a = "1"/);
  expect(ours).toBe(Testing.synthHcl(stack('package')));
});

test('the stack records the same provider requirement (hashicorp/null 3.2.4)', () => {
  const ours = JSON.parse(Testing.synth(stack('library')));
  expect(ours.terraform.required_providers).toEqual({ null: { source: 'null', version: '3.2.4' } });
});
