import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadCatalogs, locales, type Locale } from '../../i18n/i18n.ts';
import { localisedPath } from '../../web/routing.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { audienceOutlines } from './content/audiences.ts';
import { exploitationOutlines } from './content/exploitation.ts';
import { contactOutline, homeOutline, infoOutlines } from './content/info.ts';
import { exploitationForms, formPath, signalIds, signalKey } from './data.ts';
import { outlineKeys } from './model.ts';
import { portalPages } from './routes.tsx';

/** Preact escapes text like this; enough to find translated text in the HTML. */
function html(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

describe('public information portal', () => {
  let t: TestApp;
  const missing: string[] = [];
  const catalogs = loadCatalogs();

  before(async () => {
    t = await createTestApp();
    // Record every key a page asks for that its own language lacks (the translator would fall back).
    for (const locale of locales) {
      const translator = t.app.deps.translators[locale];
      const translate = translator.t;
      translator.t = (key, values) => {
        if (!catalogs[locale].has(key)) missing.push(`${locale}: ${key}`);
        return translate(key, values);
      };
    }
  });
  after(() => t.close());

  const get = async (locale: Locale, path: string) => {
    const response = await t.app.inject({ method: 'GET', url: localisedPath(locale, path) });
    return { status: response.statusCode, body: response.body };
  };

  it('has the pages the site links to', () => {
    const paths = portalPages.map((page) => page.path);
    for (const path of [
      '/',
      '/wat-is-mensenhandel',
      '/contact',
      '/na-contact',
      '/veilig-internetten',
      '/privacy',
      '/toegankelijkheid',
      '/vormen/seksuele-uitbuiting',
      '/vormen/criminele-uitbuiting',
      '/vormen/arbeidsuitbuiting',
      '/vormen/orgaanverwijdering',
      '/vormen/andere-vormen',
      '/voor/slachtoffers',
      '/voor/omgeving',
      '/voor/professionals',
      '/voor/daders',
    ]) {
      assert.ok(paths.includes(path), path);
    }
    assert.equal(new Set(paths).size, paths.length, 'no page registered twice');
  });

  it('serves every page in both languages with one h1, its title and headings in order', async () => {
    for (const page of portalPages) {
      for (const locale of locales) {
        const label = `${locale} ${page.path}`;
        const { status, body } = await get(locale, page.path);
        assert.equal(status, 200, label);
        assert.match(body, new RegExp(`<html lang="${locale}"`), label);
        const title = html(t.app.deps.translators[locale].t(page.title));
        assert.ok(body.includes(`<title>${title} | `), `${label}: <title>`);
        const h1s = [...body.matchAll(/<h1[^>]*>([^<]*)<\/h1>/g)];
        assert.equal(h1s.length, 1, `${label}: one h1`);
        assert.equal(h1s[0]?.[1], title, `${label}: h1 is the title`);
        const levels = [...body.matchAll(/<h([1-6])/g)].map((m) => Number(m[1]));
        levels.forEach((level, i) => {
          assert.ok(
            i === 0 || level <= (levels[i - 1] ?? 0) + 1,
            `${label}: heading h${level} skips a level`,
          );
        });
      }
    }
    assert.deepEqual(missing, [], 'message keys missing in the language of the page');
  });

  it('names only message keys that exist in both catalogs', () => {
    const outlines = [
      homeOutline,
      contactOutline,
      ...infoOutlines,
      ...exploitationOutlines,
      ...audienceOutlines,
    ];
    const keys = [...outlines.flatMap(outlineKeys), ...signalIds.map(signalKey)];
    for (const locale of locales) {
      assert.deepEqual(
        keys.filter((key) => !catalogs[locale].has(key)),
        [],
        locale,
      );
    }
  });

  it('links the language switch to the same page in the other language', async () => {
    for (const page of portalPages) {
      const nl = await get('nl', page.path);
      const en = await get('en', page.path);
      const switchHref = (body: string) =>
        /<a [^>]*class="[^"]*baken-lang[^"]*"[^>]*href="([^"]+)"/.exec(body)?.[1];
      assert.equal(switchHref(nl.body), localisedPath('en', page.path), page.path);
      assert.equal(switchHref(en.body), page.path, page.path);
    }
  });

  it('leads from the home page to reporting, the code mailbox, 112, audiences and forms', async () => {
    for (const locale of locales) {
      const { body } = await get(locale, '/');
      for (const path of ['/melden', '/mijn-melding', ...exploitationForms.map(formPath), '/voor/daders']) {
        assert.ok(body.includes(`href="${localisedPath(locale, path)}"`), `${locale}: link to ${path}`);
      }
      assert.ok(body.includes('href="tel:112"'), `${locale}: call 112`);
    }
    assert.match((await get('nl', '/')).body, /ook daders/);
  });

  it('lists the signals on each exploitation page', async () => {
    for (const form of exploitationForms) {
      for (const locale of locales) {
        const { body } = await get(locale, formPath(form));
        for (const signal of form.signals) {
          const text = html(t.app.deps.translators[locale].t(signalKey(signal)));
          assert.ok(
            body.includes(`<li class="utrecht-unordered-list__item">${text}</li>`),
            `${form.code}: ${signal}`,
          );
        }
      }
    }
  });

  it('shows the contact details and opening hours from the region config', async () => {
    const { region } = t.config;
    for (const locale of locales) {
      const { body } = await get(locale, '/contact');
      for (const value of [
        region.organisation.name,
        region.contact.phone,
        region.contact.email,
        region.contact.address.street,
        region.contact.openingHours[locale],
        region.emergency.policeNonUrgent,
        region.emergency.anonymousCrimeLine,
      ]) {
        assert.ok(body.includes(html(value)), `${locale}: ${value}`);
      }
      assert.ok(body.includes(`href="${localisedPath(locale, '/melden')}"`), 'links to the anonymous form');
    }

    // Another region's details show up without a code change.
    const other = await createTestApp({
      configure: (config) => {
        config.region = {
          ...config.region,
          contact: {
            ...config.region.contact,
            phone: '053 - 765 43 21',
            openingHours: { nl: 'Alleen op dinsdag', en: 'Tuesdays only' },
          },
        };
      },
    });
    try {
      const { body } = await other.app.inject({ method: 'GET', url: '/en/contact' });
      assert.ok(body.includes('href="tel:0537654321"'));
      assert.ok(body.includes('053 - 765 43 21'));
      assert.ok(body.includes('Tuesdays only'));
      assert.ok(!body.includes(region.contact.phone));
    } finally {
      await other.close();
    }
  });
});
