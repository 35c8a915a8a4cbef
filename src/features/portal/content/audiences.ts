import { audiencePath, audiences, generalSignals, signalKey, type AudienceId } from '../data.ts';
import {
  dangerBlock,
  links,
  outline,
  paragraph,
  reportBlock,
  type BlockSpec,
  type Outline,
} from '../model.ts';
import { formLinks } from './exploitation.ts';

const afterContactLink = { path: '/na-contact', key: 'portal.after_contact.title' };

const sections: Record<AudienceId, Record<string, readonly BlockSpec[]>> = {
  victims: {
    blame: ['p1', 'p2'],
    rights: ['intro', { list: ['shelter', 'coordinator', 'reflection', 'choice'] }],
    help: [{ list: ['listen', 'think', 'connect', 'stay'] }],
    anonymous: ['p1', reportBlock, dangerBlock],
  },
  environment: {
    signals: [
      'intro',
      { kind: 'list', keys: generalSignals.map(signalKey) },
      paragraph('portal.forms.not_proof'),
      'more',
      links(...formLinks()),
    ],
    act: [{ list: ['stay_in_touch', 'no_confronting', 'no_investigating', 'write_down', 'tell_us'] }],
    report: ['p1', reportBlock, dangerBlock],
  },
  professionals: {
    signals: ['p1', links(...formLinks()), 'p2'],
    meldcode: ['intro', { steps: ['step1', 'step2', 'step3', 'step4', 'step5'] }],
    advice: ['p1', 'p2', { kind: 'partners' }, { kind: 'report', key: 'portal.cta.advice' }],
    comensha: ['p1', 'p2'],
  },
  perpetrators: {
    listen: ['p1', 'p2'],
    can: [{ list: ['listen', 'help', 'explain'] }],
    cannot: [{ list: ['consequences', 'danger'] }, 'p1', links(afterContactLink)],
    anonymous: ['p1', reportBlock, dangerBlock],
  },
};

export const audienceOutlines: Outline[] = audiences.map((audience) =>
  outline(audiencePath(audience), audience.key, sections[audience.id]),
);
