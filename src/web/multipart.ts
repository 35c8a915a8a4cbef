import type { FastifyRequest } from 'fastify';

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
      form.files.push({ fileName: part.filename, data, truncated: part.file.truncated });
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_FILES_LIMIT') throw error;
    form.tooManyFiles = true;
  }
  return form;
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
