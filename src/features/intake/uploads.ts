import type { MessageValues } from '../../i18n/i18n.ts';
import type { IntakeLimits } from '../../config/config.ts';
import type { ParsedForm } from '../../web/multipart.ts';
import { processUpload, type AttachmentRejection, type ProcessedFile } from '../attachments/process.ts';

export interface UploadProblem {
  messageKey: string;
  values: MessageValues;
}

const rejectionMessages: Record<AttachmentRejection, string> = {
  type_not_allowed: 'intake.errors.file_type',
  too_large: 'intake.errors.file_too_large',
  empty: 'intake.errors.file_empty',
  unreadable: 'intake.errors.file_unreadable',
};

/** Checks and cleans every uploaded file; reports each refused file by the name the person gave it. */
export async function processUploads(
  form: ParsedForm,
  limits: IntakeLimits,
): Promise<{ files: ProcessedFile[]; problems: UploadProblem[] }> {
  const maxMegabytes = Math.round(limits.maxFileBytes / (1024 * 1024));
  const files: ProcessedFile[] = [];
  const problems: UploadProblem[] = [];
  if (form.tooManyFiles)
    problems.push({ messageKey: 'intake.errors.too_many_files', values: { maxFiles: limits.maxFiles } });
  for (const upload of form.files) {
    const result = upload.truncated
      ? ({ ok: false, reason: 'too_large' } as const)
      : await processUpload({ fileName: upload.fileName, data: upload.data }, limits.maxFileBytes);
    if (result.ok) files.push(result.file);
    else
      problems.push({
        messageKey: rejectionMessages[result.reason],
        values: { name: upload.fileName.slice(0, 100) || '?', maxMegabytes },
      });
  }
  return { files, problems };
}
