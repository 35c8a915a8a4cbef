// Form enhancements. The forms work fully without this file; it only moves focus and hides
// questions that do not apply, and every hidden question is shown again when it applies.
(function () {
  'use strict';

  // Move focus to the error summary so screen readers announce it first.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) summary.focus();

  var form = document.querySelector('[data-report-form]');
  if (!form) return;

  function checkedValue(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : '';
  }

  // A group of radio buttons is one question (its fieldset); any other control is its own field.
  function fieldOf(name) {
    var control = form.querySelector('[name="' + name + '"]');
    if (!control) return null;
    var isGroup = control.type === 'radio' || control.type === 'checkbox';
    return control.closest(isGroup ? '.utrecht-form-fieldset' : '.utrecht-form-field');
  }

  function showWhen(name, visible) {
    var field = fieldOf(name);
    // A field with an error message stays visible, so the person can see what to fix.
    if (field && !field.querySelector('.utrecht-form-field-error-message')) field.hidden = !visible;
  }

  function update() {
    var channel = checkedValue('reply_channel');
    showWhen('professional_org_type', checkedValue('audience') === 'professional');
    showWhen('contact_email', channel === 'email');
    showWhen('contact_phone', channel === 'phone');
    showWhen('safe_contact_hints', channel === 'email' || channel === 'phone');
    showWhen('may_leave_message', channel === 'phone');
  }

  form.addEventListener('change', update);
  update();
})();
