/**
 * The hashicorp/null provider's provider block and `null_resource`, the two Terraform elements
 * this library makes. They are what @cdktf/provider-null 11.0.1 generates from the provider's
 * 3.2.4 schema, reduced to what the library sets (`triggers`; no alias), and written here so that
 * the library needs no prebuilt provider package: none is published for cdktn, and both
 * flavours must synthesize the same JSON (test/host/null-provider.test.ts compares them).
 * Internal: HostStep and FreeBsdHost make them; the public API names only TerraformResource.
 */
import { hashMapper, hashMapperHcl, stringToHclTerraform, stringToTerraform, TerraformMetaArguments, TerraformProvider, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';

/** The schema the classes follow, as the generated bindings record it in the stack's metadata. */
const NULL_PROVIDER_GENERATOR = { providerName: 'null', providerVersion: '3.2.4', providerVersionConstraint: '~> 3.0' };

/** `provider "null" {}`: the provider of every null_resource (its source `null` is hashicorp/null). */
export class NullProvider extends TerraformProvider {
  public static readonly tfResourceType = 'null';

  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: NullProvider.tfResourceType,
      terraformGeneratorMetadata: NULL_PROVIDER_GENERATOR,
      terraformProviderSource: 'null',
    });
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return {};
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return {};
  }
}

/** A null_resource's arguments: Terraform's meta-arguments and the provider's one argument. */
export interface NullResourceConfig extends TerraformMetaArguments {
  /** Arbitrary strings whose change replaces the resource, and so re-runs its provisioners. */
  readonly triggers?: { [key: string]: string };
}

/** `resource "null_resource"`: runs its provisioners; `id` is a random number Terraform sets at create. */
export class NullResource extends TerraformResource {
  public static readonly tfResourceType = 'null_resource';
  private readonly triggersValue?: { [key: string]: string };

  constructor(scope: Construct, id: string, config: NullResourceConfig = {}) {
    super(scope, id, {
      terraformResourceType: NullResource.tfResourceType,
      terraformGeneratorMetadata: NULL_PROVIDER_GENERATOR,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach,
    });
    this.triggersValue = config.triggers;
  }

  /** The resource's id, as a token (`${null_resource.NAME.id}`). */
  public get id(): string {
    return this.getStringAttribute('id');
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { triggers: hashMapper(stringToTerraform)(this.triggersValue) };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    if (this.triggersValue === undefined) return {};
    return {
      triggers: { value: hashMapperHcl(stringToHclTerraform)(this.triggersValue), isBlock: false, type: 'map', storageClassType: 'stringMap' },
    };
  }
}
