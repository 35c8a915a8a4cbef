import type { ComponentChildren } from 'preact';
import type { PageContext } from '../../web/page-context.ts';
import {
  ErrorSummary,
  HiddenField,
  RadioGroup,
  SelectField,
  SubmitButton,
  TextArea,
  TextInput,
  errorFor,
  fieldId,
  type FieldErrors,
} from '../../web/components/form.tsx';
import { CSRF_FIELD } from '../../web/csrf.ts';
import { can } from '../../web/policy.ts';
import { personRoles } from '../../db/schema.ts';
import { CaseSectionLayout } from '../cases/views/case-sections-nav.tsx';
import { caseSectionPath, type CaseFacts } from '../case-sections/case-section.ts';
import type { Person } from './person-service.ts';
import {
  CONTACT_MAX,
  LANGUAGES_MAX,
  NAME_MAX,
  ORGANISATION_MAX,
  ageBands,
  relationships,
  sexes,
  traffickingStatuses,
  type PersonFormValues,
  type PersonInput,
} from './person-form.ts';
import { UNKNOWN_NATIONALITY, countriesByName, countryName } from './nationalities.ts';

export const personsPath = (caseId: string) => caseSectionPath(caseId, 'persons');
export const personPath = (caseId: string, personId: string, action: 'bewerken' | 'verwijderen') =>
  `${personsPath(caseId)}/${personId}/${action}`;

function nationalityName(ctx: PageContext, code: string): string {
  return code === UNKNOWN_NATIONALITY ? ctx.t('persons.nationality_unknown') : countryName(ctx.locale, code);
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="baken-details__row">
      <dt class="baken-details__term">{label}</dt>
      <dd class="baken-details__value">{children}</dd>
    </div>
  );
}

/** What is known of a person, fields that were not filled in left out. */
function PersonFacts({ ctx, person }: { ctx: PageContext; person: PersonInput }) {
  const { t } = ctx;
  const facts: [string, string | null][] = [
    [t('persons.field.role'), t(`persons.role.${person.role}`)],
    [t('persons.field.name'), person.name],
    [t('persons.field.contact'), person.contact],
    [t('persons.field.age'), person.age === null ? null : t('persons.age_years', { age: person.age })],
    [t('persons.field.age_band'), person.ageBand ? t(`persons.age_band.${person.ageBand}`) : null],
    [t('persons.field.sex'), person.sex ? t(`persons.sex.${person.sex}`) : null],
    [t('persons.field.nationality'), person.nationality ? nationalityName(ctx, person.nationality) : null],
    [t('persons.field.languages'), person.languages.length > 0 ? person.languages.join(', ') : null],
    [
      t('persons.field.age_at_exploitation_start'),
      person.ageAtExploitationStart === null
        ? null
        : t('persons.age_years', { age: person.ageAtExploitationStart }),
    ],
    [
      t('persons.field.trafficking_status'),
      person.traffickingStatus ? t(`persons.status.${person.traffickingStatus}`) : null,
    ],
    [t('persons.field.decision_organisation'), person.decisionOrganisation],
    [
      t('persons.field.relationship_to_perpetrator'),
      person.relationshipToPerpetrator ? t(`persons.relationship.${person.relationshipToPerpetrator}`) : null,
    ],
  ];
  return (
    <dl class="baken-details">
      {facts
        .filter((fact): fact is [string, string] => fact[1] !== null)
        .map(([label, value]) => (
          <Fact key={label} label={label}>
            <span class="baken-pre-line">{value}</span>
          </Fact>
        ))}
    </dl>
  );
}

const personTitle = (ctx: PageContext, person: PersonInput) =>
  `${ctx.t(`persons.role.${person.role}`)}: ${person.name ?? ctx.t('persons.no_name')}`;

export function PersonsPage({
  ctx,
  caseFacts,
  persons,
  notice,
}: {
  ctx: PageContext;
  caseFacts: CaseFacts;
  persons: Person[];
  notice: 'added' | 'updated' | 'removed' | undefined;
}) {
  const { t } = ctx;
  // Access and erasure (features/subject-rights) only for those who may use them; nobody gets a 403 link.
  const mayUseSubjectRights = ctx.staffRole !== undefined && can(ctx.staffRole, 'persons.subject_rights');
  return (
    <CaseSectionLayout ctx={ctx} caseId={caseFacts.id} caseNumber={caseFacts.number} section="persons">
      {notice ? (
        <div class="utrecht-alert utrecht-alert--ok" role="status">
          <p class="utrecht-paragraph">{t(`persons.notice.${notice}`)}</p>
        </div>
      ) : null}
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href(`${personsPath(caseFacts.id)}/nieuw`)} data-add-person="">
          {t('persons.add')}
        </a>
      </p>
      {persons.length === 0 ? (
        <p class="utrecht-paragraph" data-persons-empty="">
          {t('persons.empty')}
        </p>
      ) : (
        persons.map((person) => (
          <section
            key={person.id}
            aria-labelledby={`person-${person.id}`}
            class="baken-person"
            data-person-id={person.id}
          >
            <h2 class="utrecht-heading-2" id={`person-${person.id}`}>
              {personTitle(ctx, person)}
            </h2>
            <PersonFacts ctx={ctx} person={person} />
            <ul class="utrecht-link-list">
              <li class="utrecht-link-list__item">
                <a class="utrecht-link" href={ctx.href(personPath(caseFacts.id, person.id, 'bewerken'))}>
                  {t('persons.edit_link', { name: personTitle(ctx, person) })}
                </a>
              </li>
              <li class="utrecht-link-list__item">
                <a class="utrecht-link" href={ctx.href(personPath(caseFacts.id, person.id, 'verwijderen'))}>
                  {t('persons.remove_link', { name: personTitle(ctx, person) })}
                </a>
              </li>
              {mayUseSubjectRights ? (
                <li class="utrecht-link-list__item">
                  <a
                    class="utrecht-link"
                    href={ctx.href(`${personsPath(caseFacts.id)}/${person.id}/rechten`)}
                    data-subject-rights=""
                  >
                    {t('subject_rights.link', { name: personTitle(ctx, person) })}
                  </a>
                </li>
              ) : null}
            </ul>
          </section>
        ))
      )}
    </CaseSectionLayout>
  );
}

/** The questions only asked about a presumed victim; hidden by CSS for another chosen role. */
function VictimFields({
  ctx,
  values,
  errors,
}: {
  ctx: PageContext;
  values: PersonFormValues;
  errors: FieldErrors;
}) {
  const { t } = ctx;
  return (
    <div class="utrecht-form-fieldset baken-victim-only" data-victim-only="">
      <fieldset class="utrecht-form-fieldset__fieldset utrecht-form-fieldset--html-fieldset">
        <legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">
          {t('persons.victim_only.legend')}
        </legend>
        <div class="utrecht-form-field-description">{t('persons.victim_only.hint')}</div>
        <TextInput
          name="age_at_exploitation_start"
          label={t('persons.field.age_at_exploitation_start')}
          hint={t('persons.hint.age')}
          value={values.age_at_exploitation_start}
          inputMode="numeric"
          maxLength={3}
          error={errorFor(errors, 'age_at_exploitation_start')}
        />
        <RadioGroup
          name="trafficking_status"
          legend={t('persons.field.trafficking_status')}
          hint={t('persons.hint.trafficking_status')}
          value={values.trafficking_status}
          options={traffickingStatuses.map((s) => ({ value: s, label: t(`persons.status.${s}`) }))}
          error={errorFor(errors, 'trafficking_status')}
        />
        <TextInput
          name="decision_organisation"
          label={t('persons.field.decision_organisation')}
          hint={t('persons.hint.decision_organisation')}
          value={values.decision_organisation}
          maxLength={ORGANISATION_MAX}
          error={errorFor(errors, 'decision_organisation')}
        />
        <SelectField
          name="relationship_to_perpetrator"
          label={t('persons.field.relationship_to_perpetrator')}
          placeholder={t('persons.not_given')}
          value={values.relationship_to_perpetrator}
          options={relationships.map((r) => ({ value: r, label: t(`persons.relationship.${r}`) }))}
          error={errorFor(errors, 'relationship_to_perpetrator')}
        />
      </fieldset>
    </div>
  );
}

function PersonFields({
  ctx,
  values,
  errors,
}: {
  ctx: PageContext;
  values: PersonFormValues;
  errors: FieldErrors;
}) {
  const { t } = ctx;
  return (
    <>
      <RadioGroup
        name="role"
        legend={t('persons.field.role')}
        value={values.role}
        options={personRoles.map((role) => ({ value: role, label: t(`persons.role.${role}`) }))}
        required
        error={errorFor(errors, 'role')}
      />
      <TextInput
        name="name"
        label={t('persons.field.name')}
        hint={t('persons.hint.name')}
        value={values.name}
        maxLength={NAME_MAX}
        error={errorFor(errors, 'name')}
      />
      <TextArea
        name="contact"
        label={t('persons.field.contact')}
        hint={t('persons.hint.contact')}
        value={values.contact}
        rows={3}
        maxLength={CONTACT_MAX}
        error={errorFor(errors, 'contact')}
      />
      <TextInput
        name="age"
        label={t('persons.field.age')}
        hint={t('persons.hint.age_or_band')}
        value={values.age}
        inputMode="numeric"
        maxLength={3}
        error={errorFor(errors, 'age')}
      />
      <SelectField
        name="age_band"
        label={t('persons.field.age_band')}
        placeholder={t('persons.not_given')}
        value={values.age_band}
        options={ageBands.map((band) => ({ value: band, label: t(`persons.age_band.${band}`) }))}
        error={errorFor(errors, 'age_band')}
      />
      <RadioGroup
        name="sex"
        legend={t('persons.field.sex')}
        value={values.sex}
        options={sexes.map((sex) => ({ value: sex, label: t(`persons.sex.${sex}`) }))}
        error={errorFor(errors, 'sex')}
      />
      <SelectField
        name="nationality"
        label={t('persons.field.nationality')}
        placeholder={t('persons.not_given')}
        value={values.nationality}
        options={[
          { value: UNKNOWN_NATIONALITY, label: t('persons.nationality_unknown') },
          ...countriesByName(ctx.locale).map((c) => ({ value: c.code, label: c.name })),
        ]}
        error={errorFor(errors, 'nationality')}
      />
      <TextInput
        name="languages"
        label={t('persons.field.languages')}
        hint={t('persons.hint.languages')}
        value={values.languages}
        maxLength={LANGUAGES_MAX}
        error={errorFor(errors, 'languages')}
      />
      <VictimFields ctx={ctx} values={values} errors={errors} />
    </>
  );
}

/** The first control of a field, for the error summary's links (radio groups start at an option). */
const firstControl = (field: string) => {
  if (field === 'role') return fieldId('role', personRoles[0]);
  if (field === 'sex') return fieldId('sex', sexes[0]);
  if (field === 'trafficking_status') return fieldId('trafficking_status', traffickingStatuses[0]);
  return fieldId(field);
};

export function PersonFormPage({
  ctx,
  caseFacts,
  mode,
  action,
  values,
  errors,
  csrfToken,
  version,
  conflict,
}: {
  ctx: PageContext;
  caseFacts: CaseFacts;
  mode: 'add' | 'edit';
  action: string;
  values: PersonFormValues;
  errors: FieldErrors;
  csrfToken: string;
  /** The version the form saves over (edit only). */
  version?: number;
  /** Set when someone else saved the person first: what is stored now, beside what was typed. */
  conflict?: { mine: PersonInput | undefined; stored: Person } | undefined;
}) {
  const { t } = ctx;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="persons"
      subtitle={t(mode === 'add' ? 'persons.add_title' : 'persons.edit_title')}
      hasErrors={errors.length > 0}
    >
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href(personsPath(caseFacts.id))}>
          {t('persons.back')}
        </a>
      </p>
      <ErrorSummary errors={errors} heading={t('validation.summary_heading')} firstControl={firstControl} />
      {conflict ? <ConflictNotice ctx={ctx} conflict={conflict} /> : null}
      <form
        class="baken-form baken-person-form"
        method="post"
        action={ctx.href(action)}
        novalidate
        data-person-form=""
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        {version !== undefined ? <HiddenField name="version" value={String(version)} /> : null}
        <PersonFields ctx={ctx} values={values} errors={errors} />
        <SubmitButton>{t(mode === 'add' ? 'persons.submit_add' : 'persons.submit_edit')}</SubmitButton>
      </form>
    </CaseSectionLayout>
  );
}

function ConflictNotice({
  ctx,
  conflict,
}: {
  ctx: PageContext;
  conflict: { mine: PersonInput | undefined; stored: Person };
}) {
  const { t } = ctx;
  return (
    <div class="utrecht-alert utrecht-alert--warning" role="alert" data-conflict="">
      <h2 class="utrecht-heading-2">{t('persons.conflict.heading')}</h2>
      <p class="utrecht-paragraph">{t('persons.conflict.text')}</p>
      <div class="baken-compare">
        <section aria-labelledby="conflict-stored" data-conflict-stored="">
          <h3 class="utrecht-heading-3" id="conflict-stored">
            {t('persons.conflict.stored')}
          </h3>
          <PersonFacts ctx={ctx} person={conflict.stored} />
        </section>
        {conflict.mine ? (
          <section aria-labelledby="conflict-mine" data-conflict-mine="">
            <h3 class="utrecht-heading-3" id="conflict-mine">
              {t('persons.conflict.mine')}
            </h3>
            <PersonFacts ctx={ctx} person={conflict.mine} />
          </section>
        ) : null}
      </div>
    </div>
  );
}

export function RemovePersonPage({
  ctx,
  caseFacts,
  person,
  csrfToken,
}: {
  ctx: PageContext;
  caseFacts: CaseFacts;
  person: Person;
  csrfToken: string;
}) {
  const { t } = ctx;
  return (
    <CaseSectionLayout
      ctx={ctx}
      caseId={caseFacts.id}
      caseNumber={caseFacts.number}
      section="persons"
      subtitle={t('persons.remove_title')}
    >
      <p class="utrecht-paragraph">{t('persons.remove_question', { name: personTitle(ctx, person) })}</p>
      <PersonFacts ctx={ctx} person={person} />
      <form
        class="baken-form"
        method="post"
        action={ctx.href(personPath(caseFacts.id, person.id, 'verwijderen'))}
      >
        <HiddenField name={CSRF_FIELD} value={csrfToken} />
        <SubmitButton>{t('persons.remove_confirm')}</SubmitButton>
      </form>
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href={ctx.href(personsPath(caseFacts.id))}>
          {t('persons.remove_cancel')}
        </a>
      </p>
    </CaseSectionLayout>
  );
}
