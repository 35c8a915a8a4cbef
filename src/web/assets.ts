import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const publicDir = join(import.meta.dirname, '..', '..', 'public');

/** NL Design System component CSS, in cascade order, then our own tokens and layout. */
const componentPackages = [
  'root',
  'document',
  'body',
  'page-layout',
  'page-header',
  'page-body',
  'page-footer',
  'heading-1',
  'heading-2',
  'heading-3',
  'paragraph',
  'link',
  'link-list',
  'unordered-list',
  'ordered-list',
  'button',
  'button-link',
  'alert',
  'form-fieldset',
  'form-field',
  'form-label',
  'form-field-description',
  'form-field-error-message',
  'textbox',
  'textarea',
  'select',
  'checkbox',
  'radio-button',
  'skip-link',
  'table',
  'nav-bar',
  'separator',
  'surface',
];
const ownStylesheets = ['css/tokens.css', 'css/app.css'];
const scripts = ['js/app.js', 'js/forms.js', 'js/passkeys.js', 'js/intake-pow.js'];

export interface Asset {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface Assets {
  stylesheet: Asset;
  script: Asset;
  byPath: Map<string, Asset>;
}

function fingerprinted(name: string, extension: string, contentType: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${extension}`, contentType, body };
}

/**
 * Bundles the stylesheets and scripts once at start-up and serves them from our own origin under a
 * content hash; no page loads anything from another origin.
 */
export function buildAssets(): Assets {
  const css = [
    ...componentPackages.map((name) =>
      readFileSync(require.resolve(`@utrecht/${name}-css/dist/index.min.css`)),
    ),
    ...ownStylesheets.map((file) => readFileSync(join(publicDir, file))),
  ];
  const stylesheet = fingerprinted(
    'baken',
    'css',
    'text/css; charset=utf-8',
    Buffer.concat(css.flatMap((c) => [c, Buffer.from('\n')])),
  );
  const script = fingerprinted(
    'baken',
    'js',
    'text/javascript; charset=utf-8',
    Buffer.concat(scripts.map((file) => readFileSync(join(publicDir, file)))),
  );
  return { stylesheet, script, byPath: new Map([stylesheet, script].map((a) => [a.path, a])) };
}
