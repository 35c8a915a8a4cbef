import { normaliseForm } from '../../web/form-validation.ts';
import { REMARK_MAX_CHARS, type IndicatorState } from './indicator-service.ts';

/**
 * The checklist form: per indicator a checkbox and a remark, plus what the form showed when it was
 * opened (hidden fields), so that saving writes only what the person changed.
 */
export const fieldNames = (code: string) => ({
  present: `present_${code}`,
  remark: `remark_${code}`,
  shownPresent: `shown_present_${code}`,
  shownRemark: `shown_remark_${code}`,
});

export interface ChecklistForm {
  submitted: Map<string, IndicatorState>;
  shown: Map<string, IndicatorState>;
  /** Codes whose remark is longer than REMARK_MAX_CHARS. */
  tooLong: string[];
}

export function parseChecklistForm(body: unknown, codes: readonly string[]): ChecklistForm {
  const input = normaliseForm(body);
  const text = (name: string) => (typeof input[name] === 'string' ? input[name] : null);
  const submitted = new Map<string, IndicatorState>();
  const shown = new Map<string, IndicatorState>();
  const tooLong: string[] = [];
  for (const code of codes) {
    const names = fieldNames(code);
    const remark = text(names.remark);
    if (remark !== null && remark.length > REMARK_MAX_CHARS) tooLong.push(code);
    submitted.set(code, { present: text(names.present) === 'yes', remark });
    const shownPresent = text(names.shownPresent);
    if (shownPresent === '1' || shownPresent === '0') {
      shown.set(code, { present: shownPresent === '1', remark: text(names.shownRemark) });
    }
  }
  return { submitted, shown, tooLong };
}
