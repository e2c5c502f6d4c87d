import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry, subjectFor } from '../../platform/schema-registry';
import { uniqueName } from '../support/names';
import { stackEnv } from '../support/stack-env';

/**
 * The registry is Apicurio's Confluent-compatible API, close to Confluent's but not identical. This
 * suite pins down every call the project makes, so that a registry upgrade that changes one fails
 * here rather than in production.
 */
const env = stackEnv();

function recordSchema(name: string, fields: object[]): string {
  return JSON.stringify({ type: 'record', name, namespace: 'fleet.contract', fields });
}

describe('the schema registry contract', () => {
  const registry = createSchemaRegistry(env.schemaRegistryUrl);

  it('registers under an explicit subject and answers the same id for the same schema', async () => {
    const subject = subjectFor(uniqueName('contract'), 'fleet.contract.Registered');
    const schema = { type: SchemaType.AVRO, schema: recordSchema('Registered', [{ name: 'id', type: 'string' }]) } as const;

    const first = await registry.register(schema, { subject });
    const again = await registry.register(schema, { subject });

    expect(again.id).toBe(first.id);
  });

  it('looks a schema up by its content, fetches it by id and reports the latest version', async () => {
    const subject = subjectFor(uniqueName('contract'), 'fleet.contract.Versioned');
    const version1 = recordSchema('Versioned', [{ name: 'id', type: 'string' }]);
    const version2 = recordSchema('Versioned', [
      { name: 'id', type: 'string' },
      { name: 'note', type: ['null', 'string'], default: null },
    ]);
    const { id: id1 } = await registry.register({ type: SchemaType.AVRO, schema: version1 }, { subject });
    const { id: id2 } = await registry.register({ type: SchemaType.AVRO, schema: version2 }, { subject });

    expect(id2).not.toBe(id1);
    expect(await registry.getRegistryId(subject, 1)).toBe(id1);
    expect(await registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema: version1 })).toBe(id1);
    expect(await registry.getLatestSchemaId(subject)).toBe(id2);
    const fetched = (await registry.getSchema(id2)) as unknown as { name: string; fields: { name: string }[] };
    expect({ name: fetched.name, fields: fetched.fields.map((field) => field.name) }).toEqual({
      name: 'fleet.contract.Versioned',
      fields: ['id', 'note'],
    });
  });

  it('refuses a change that is not BACKWARD compatible (a new field without a default)', async () => {
    const subject = subjectFor(uniqueName('contract'), 'fleet.contract.Strict');
    await registry.register({ type: SchemaType.AVRO, schema: recordSchema('Strict', [{ name: 'id', type: 'string' }]) }, { subject });

    const incompatible = recordSchema('Strict', [
      { name: 'id', type: 'string' },
      { name: 'required', type: 'string' },
    ]);

    await expect(registry.register({ type: SchemaType.AVRO, schema: incompatible }, { subject })).rejects.toThrow(/compatib/i);
  });

  it('fails to decode bytes that reference a schema id the registry does not have', async () => {
    const unknownId = 2_000_000_000;
    const bytes = Buffer.alloc(6);
    bytes.writeUInt8(0, 0);
    bytes.writeInt32BE(unknownId, 1);

    await expect(registry.decode(bytes)).rejects.toThrow();
  });
});
