import { dangerBlock, links, outline, reportBlock, type Outline } from '../model.ts';
import { formLinks } from './exploitation.ts';

const mailboxLink = { path: '/mijn-melding', key: 'portal.cta.mailbox' };
const afterContactLink = { path: '/na-contact', key: 'portal.after_contact.title' };

/** The home page's closing sections; the rest of the home page is views/home.tsx. */
export const homeOutline: Outline = outline('/', 'portal.home', {
  about: ['p1', 'p2', links({ path: '/wat-is-mensenhandel', key: 'portal.what_is.title' }, afterContactLink)],
  safety: ['p1', links({ path: '/veilig-internetten', key: 'portal.safe_browsing.title' })],
});

export const whatIsOutline: Outline = outline('/wat-is-mensenhandel', 'portal.what_is', {
  parts: ['intro', { list: ['act', 'means', 'purpose'] }, 'minors'],
  profit: ['p1'],
  smuggling: ['p1', 'p2'],
  here: ['p1', 'p2'],
  forms: ['intro', links(...formLinks())],
  doubt: ['p1', reportBlock, dangerBlock],
});

/** Contact details themselves come from the region config (views/contact.tsx), before these sections. */
export const contactOutline: Outline = outline('/contact', 'portal.contact', {
  anonymous: ['p1', { kind: 'report', key: 'portal.cta.form' }],
  emergency: ['p1', { kind: 'emergency' }],
  after: ['p1', links(afterContactLink)],
});

export const afterContactOutline: Outline = outline('/na-contact', 'portal.after_contact', {
  read: ['p1', 'p2'],
  reply: ['p1', 'p2', links(mailboxLink)],
  sharing: ['p1', 'p2', 'p3', 'p4'],
  emergency: ['p1', { kind: 'emergency' }],
});

export const safeBrowsingOutline: Outline = outline('/veilig-internetten', 'portal.safe_browsing', {
  quick_exit: ['p1', 'p2', 'p3'],
  private: ['p1', { list: ['chrome', 'firefox', 'safari', 'phone'] }],
  history: ['p1', 'p2'],
  device: ['p1', 'p2', 'p3'],
  stored: ['p1', 'p2', links({ path: '/privacy', key: 'portal.privacy.title' })],
});

export const privacyOutline: Outline = outline('/privacy', 'portal.privacy', {
  who: ['p1'],
  stored: ['intro', { list: ['message', 'files', 'contact', 'date', 'code'] }],
  not_stored: [{ list: ['ip', 'device', 'cookies'] }],
  security: ['p1', 'p2'],
  use: ['p1', 'p2', links(afterContactLink), 'p3'],
  retention: ['p1', 'p2'],
  rights: ['intro', { list: ['access', 'correct', 'delete', 'object'] }, 'anonymous', 'complaint'],
  questions: ['p1'],
});

export const accessibilityOutline: Outline = outline('/toegankelijkheid', 'portal.accessibility', {
  aim: ['p1', 'intro', { list: ['keyboard', 'screen_reader', 'zoom', 'contrast', 'language'] }],
  status: ['p1'],
  problem: ['p1', 'p2', 'p3'],
});

export const infoOutlines: Outline[] = [
  whatIsOutline,
  afterContactOutline,
  safeBrowsingOutline,
  privacyOutline,
  accessibilityOutline,
];
