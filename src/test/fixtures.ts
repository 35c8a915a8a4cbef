/** A report that passes validation, without an upload; shared by the intake tests and the benchmark. */
export const validReport = {
  audience: 'environment',
  exploitation_forms: ['labour', 'unknown'],
  municipality: 'GM0153',
  narrative: 'Mijn buurman werkt 14 uur per dag in een kas en zijn paspoort is afgepakt.',
  reply_channel: 'email',
  contact_name: 'Anna',
  contact_email: 'anna.geheim@example.org',
  consent: 'yes',
};
