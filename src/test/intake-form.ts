import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { inputValue, type TestClient } from './http-client.ts';

/**
 * What a reporter does to reach the report form: the start page, then "not in acute danger".
 * Returns the form page and the hidden fields a post of it must carry.
 */
export async function openReportForm(client: TestClient): Promise<{
  page: LightMyRequestResponse;
  fields: { _csrf: string; submission_key: string; acute_danger: 'no' };
}> {
  const start = await client.get('/melden');
  const page = await client.postForm('/melden', {
    _csrf: inputValue(start.body, '_csrf'),
    acute_danger: 'no',
  });
  assert.equal(page.statusCode, 200);
  return {
    page,
    fields: {
      _csrf: inputValue(page.body, '_csrf'),
      submission_key: inputValue(page.body, 'submission_key'),
      acute_danger: 'no',
    },
  };
}
