import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type SchemaRegistry, subjectFor } from './schema-registry';

const SCHEMAS_DIR = path.join(__dirname, '..', 'schemas');

interface AvroRecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
}

/** Every .avsc under schemas/, by full record name (namespace.name). */
export function loadSchemas(directory = SCHEMAS_DIR): Map<string, string> {
  const schemas = new Map<string, string>();
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.avsc')) continue;
    const source = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    const schema = JSON.parse(source) as AvroRecordSchema;
    const fullName = `${schema.namespace}.${schema.name}`;
    if (schemas.has(fullName)) throw new Error(`two schema files declare ${fullName}`);
    schemas.set(fullName, source);
  }
  return schemas;
}

export class UnknownSchemaError extends Error {
  constructor(readonly recordName: string) {
    super(`no schema file declares ${recordName}`);
    this.name = 'UnknownSchemaError';
  }
}

/**
 * Encodes and decodes message values in the Confluent wire format. Schemas are registered under
 * `<topic>-<record name>` the first time a record type is written to a topic, then cached.
 */
export class AvroCodec {
  private readonly schemaIds = new Map<string, Promise<number>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly schemas: Map<string, string> = loadSchemas(),
  ) {}

  private schemaId(topic: string, recordName: string): Promise<number> {
    const subject = subjectFor(topic, recordName);
    let id = this.schemaIds.get(subject);
    if (id === undefined) {
      const schema = this.schemas.get(recordName);
      if (schema === undefined) return Promise.reject(new UnknownSchemaError(recordName));
      id = this.registry.register({ type: SchemaType.AVRO, schema }, { subject }).then((registered) => registered.id);
      // A failed registration (registry down) must be retried next time, not cached.
      id.catch(() => this.schemaIds.delete(subject));
      this.schemaIds.set(subject, id);
    }
    return id;
  }

  async encode(topic: string, recordName: string, value: unknown): Promise<Buffer> {
    return this.registry.encode(await this.schemaId(topic, recordName), value);
  }

  async decode(value: Buffer): Promise<unknown> {
    return (await this.registry.decode(value)) as unknown;
  }
}
