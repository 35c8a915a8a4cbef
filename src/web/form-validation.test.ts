import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseForm } from './form-validation.ts';
import { validateReportForm } from '../features/intake/report-form.ts';
import { loadRegion } from '../config/region.ts';
import { defaultIntakeLimits } from '../config/config.ts';

const region = loadRegion('twente');

describe('form normalisation and the report form rules', () => {
  it('trims, drops empty values and always gives arrays for array fields', () => {
    assert.deepEqual(normaliseForm({ a: '  x ', b: '', c: ['', 'y', 'y'], d: 'z' }, ['c', 'd', 'e']), {
      a: 'x',
      c: ['y'],
      d: ['z'],
      e: [],
    });
  });

  it('keeps only the contact details the chosen reply channel needs', () => {
    const result = validateReportForm(region, defaultIntakeLimits, {
      acute_danger: 'no',
      audience: 'self',
      exploitation_forms: ['unknown', 'sexual'],
      municipality: 'GM0164',
      narrative: 'Tekst',
      reply_channel: 'receipt',
      contact_email: 'iemand@example.org',
      contact_phone: '0612345678',
      professional_org_type: 'care',
      consent: 'yes',
    });
    assert.ok(result.ok);
    assert.equal(result.value.contact_email, undefined);
    assert.equal(result.value.contact_phone, undefined);
    assert.equal(result.value.professional_org_type, undefined);
    assert.deepEqual(result.value.exploitation_forms, ['sexual']);
  });

  it('never throws on hostile form bodies, and only accepts known codes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string(), fc.array(fc.string()))),
        (body) => {
          const result = validateReportForm(
            region,
            defaultIntakeLimits,
            normaliseForm(body, ['exploitation_forms']),
          );
          if (result.ok) {
            assert.ok(
              ['self', 'environment', 'professional', 'perpetrator', 'other'].includes(result.value.audience),
            );
          } else {
            assert.ok(result.problems.length > 0);
            for (const problem of result.problems)
              assert.match(problem.messageKey, /^(intake\.errors|validation)\./);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('questions that do not apply', () => {
  it('never block sending, whatever was typed in them', () => {
    const result = validateReportForm(region, defaultIntakeLimits, {
      acute_danger: 'no',
      audience: 'self',
      exploitation_forms: ['unknown'],
      municipality: 'unknown',
      narrative: 'Tekst',
      reply_channel: 'receipt',
      contact_email: 'anna@',
      contact_phone: 'bel me',
      professional_org_type: 'not-a-type',
      may_leave_message: 'misschien',
      consent: 'yes',
    });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.contact_email, undefined);
  });
});
