import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

export interface UploadedFile {
  fileName: string;
  data: Buffer;
  /** More bytes than the per-file limit were sent; `data` holds only the first part. */
  truncated: boolean;
}

export interface ParsedForm {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
  /** More files were sent than allowed; the extra ones were discarded. */
  tooManyFiles: boolean;
  /** Fields longer than the per-field limit; their values are cut off. */
  truncatedFields: string[];
}

/**
 * Reads a form that may carry files, keeping every text field even when files are refused, so the
 * page can be shown again with what the person typed. Plain urlencoded posts are accepted too.
 */
export async function readForm(request: FastifyRequest, maxFiles: number): Promise<ParsedForm> {
  const form: ParsedForm = { fields: {}, files: [], tooManyFiles: false, truncatedFields: [] };
  if (!request.isMultipart()) {
    form.fields = (request.body ?? {}) as ParsedForm['fields'];
    return form;
  }
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.valueTruncated) form.truncatedFields.push(part.fieldname);
        addField(form.fields, part.fieldname, typeof part.value === 'string' ? part.value : '');
        continue;
      }
      // A file input left empty still sends a part without a name.
      const data = await readAll(part.file);
      if (!part.filename && data.length === 0) continue;
      if (form.files.length >= maxFiles) {
        form.tooManyFiles = true;
        continue;
      }
      // A hand-made request may send a file part without a name.
      const fileName = (part.filename as string | undefined) ?? '';
      form.files.push({ fileName, data, truncated: part.file.truncated });
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') form.tooManyFiles = true;
    else if (code?.startsWith('FST_') || isMalformedMultipart(error)) throw new AppError('bad_request');
    else throw error;
  }
  return form;
}

/** Busboy's words for a body that is not valid multipart: the client's fault, not ours. */
function isMalformedMultipart(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /multipart|boundary|part header|end of form/i.test(message);
}

function addField(fields: ParsedForm['fields'], name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
