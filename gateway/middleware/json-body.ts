import type { Context } from 'koa';
import { ProblemError } from './problem';

/** The raw request body, at most `limitBytes` (checked on the declared length and while reading: 413). */
export async function readBodyBytes(ctx: Context, limitBytes: number): Promise<Buffer> {
  const tooLarge = () => new ProblemError(413, 'payload-too-large', 'Request body too large', `The body may have at most ${limitBytes} bytes.`);
  if (Number(ctx.get('Content-Length') || '0') > limitBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body of at most `limitBytes`: 415 for another content type, 413 past the
 * limit, 400 for malformed JSON.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.');
  }
  const body = await readBodyBytes(ctx, limitBytes);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
  }
}
