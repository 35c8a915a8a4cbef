import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sanitiseFileName } from './file-name.ts';
import { hostileText } from '../../test/properties.ts';

const extensionLists: readonly (readonly [string, ...string[]])[] = [
  ['jpg', 'jpeg', 'jpe', 'jfif'],
  ['png'],
  ['webp'],
  ['gif'],
  ['pdf'],
];

const hostilePiece = hostileText({
  maxLength: 30,
  samples: [
    '../',
    '..\\',
    '/etc/passwd',
    'C:\\Windows\\',
    '\u0000',
    '\u202E',
    '\u202Dgpj.exe',
    '\u200B',
    '\u2028',
    '\uFEFF',
    '\uD800',
    '\uDC00',
    'e\u0301',
    'ﬁ',
    '"*:<>?|',
    '<script>',
    "'; --",
    '.',
    '...',
    ' ',
    '\t\n',
    '.pdf',
    '.JPEG',
    '.exe',
    'x'.repeat(250),
    '😀',
  ],
});
const rawName = fc.array(hostilePiece, { maxLength: 6 }).map((pieces) => pieces.join(''));

describe('uploaded file names, hostile input', () => {
  it('give a safe display name: no path, no control/bidi/reserved characters, a fitting extension', () => {
    fc.assert(
      fc.property(rawName, fc.constantFrom(...extensionLists), (raw, extensions) => {
        const name = sanitiseFileName(raw, extensions);
        assert.ok(name.length >= 3 && name.length <= 200, `${JSON.stringify(name)} (${name.length})`);
        assert.doesNotMatch(name, /[/\\]/, 'no path separators');
        assert.doesNotMatch(name, /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u, 'no control or format characters');
        assert.doesNotMatch(name, /["*:<>?|]/, 'no reserved characters');
        assert.doesNotMatch(name, /^[\s.]/, 'no leading dot or space');
        assert.equal(name, name.normalize('NFC'));
        assert.equal(Buffer.from(name, 'utf8').toString('utf8'), name, 'no lone surrogates');
        const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
        assert.ok(extensions.includes(extension), `${name} ends in one of ${extensions.join(',')}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent: a sanitised name stays as it is', () => {
    fc.assert(
      fc.property(rawName, fc.constantFrom(...extensionLists), (raw, extensions) => {
        const once = sanitiseFileName(raw, extensions);
        assert.equal(sanitiseFileName(once, extensions), once);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps an ordinary name as it was typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _-]{0,40}[A-Za-z0-9]$/), (stem) => {
        assert.equal(sanitiseFileName(`${stem}.pdf`, ['pdf']), `${stem.replace(/\s+/g, ' ')}.pdf`);
      }),
    );
  });
});
