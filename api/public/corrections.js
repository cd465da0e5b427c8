// Correcting a statement's rows from its review: each problem's row as a small form
// (date, description, amount, balance) with Save, Delete and "Insert a missed row after
// it". Every change is sent with the session's version (If-Match); a 412 means someone
// else changed the statement meanwhile, and the caller reloads it.
import { api, ApiError } from './api.js';

let formCount = 0;

function field(form, labelText, name, value, attrs = {}) {
  const id = `fix-${form.dataset.n}-${name}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = labelText;
  const input = document.createElement('input');
  input.id = id;
  input.name = name;
  input.value = value ?? '';
  for (const [k, v] of Object.entries(attrs)) input.setAttribute(k, v);
  const wrap = document.createElement('span');
  wrap.className = 'fix-field';
  wrap.append(label, input);
  form.append(wrap);
  return input;
}

function button(text, className, type = 'button') {
  const b = document.createElement('button');
  b.type = type;
  b.textContent = text;
  if (className) b.className = className;
  return b;
}

/** The form's figures as the API takes them; throws a readable Error for a bad number. */
function readFigures(form) {
  const v = (name) => form.elements[name].value.trim();
  const number = (name, text, optional) => {
    const s = v(name).replace(/[\s,]/g, '');
    if (s === '' && optional) return null;
    if (!/^-?\d+(\.\d{1,2})?$/.test(s)) throw new Error(`${text} must be a number of rand with at most two decimals, e.g. -120.50`);
    return Number(s);
  };
  return { date: v('date'), description: v('description'), amount: number('amount', 'Amount'), balance: number('balance', 'Balance', true) };
}

function rowForm(title, row, submitText) {
  const form = document.createElement('form');
  form.className = 'fix-form';
  form.dataset.n = String(++formCount);
  form.setAttribute('aria-label', title);
  field(form, 'Date', 'date', row?.date, { type: 'date', required: '' });
  field(form, 'Description', 'description', row?.description, { maxlength: '500', required: '' });
  field(form, 'Amount', 'amount', row?.amount, { inputmode: 'decimal', required: '', 'aria-describedby': `fix-${form.dataset.n}-hint` });
  field(form, 'Balance', 'balance', row?.balance, { inputmode: 'decimal', 'aria-describedby': `fix-${form.dataset.n}-hint` });
  const hint = document.createElement('span');
  hint.id = `fix-${form.dataset.n}-hint`;
  hint.className = 'hint';
  hint.textContent = 'Rand; negative for money out. Leave the balance empty when the statement prints none.';
  const actions = document.createElement('span');
  actions.className = 'row fix-actions';
  actions.append(button(submitText, '', 'submit'));
  const error = document.createElement('p');
  error.className = 'error';
  error.setAttribute('role', 'alert');
  form.append(hint, actions, error);
  return { form, actions, error };
}

/**
 * The editor of one problem's row. `ctx`: { sessionId, version() → the version last read,
 * done(answer, message) after a change, stale() after a 412 }.
 */
export function rowEditor(tx, ctx) {
  const box = document.createElement('div');
  box.className = 'fix';
  const { form, actions, error } = rowForm(`Correct the row of ${tx.date}`, tx, 'Save row');
  const insert = button('Insert a missed row after this', 'secondary');
  const remove = button('Delete this row', 'danger');
  actions.append(insert, remove);
  box.append(form);

  async function send(method, path, body, what, errorEl = error) {
    errorEl.textContent = '';
    try {
      const answer = await api(path, { method, body, headers: { 'If-Match': `"v${ctx.version()}"` } });
      ctx.done(answer, what);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) return ctx.stale();
      errorEl.textContent = err.message;
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let figures;
    try {
      figures = readFigures(form);
    } catch (err) {
      error.textContent = err.message;
      return;
    }
    send('PATCH', `/sessions/${ctx.sessionId}/transactions/${tx.id}`, figures, 'Row saved');
  });
  remove.addEventListener('click', () => {
    if (!window.confirm(`Delete the row "${tx.description}" of ${tx.date}?`)) return;
    send('DELETE', `/sessions/${ctx.sessionId}/transactions/${tx.id}`, undefined, 'Row deleted');
  });
  insert.addEventListener('click', () => {
    if (box.querySelector('.fix-insert')) return box.querySelector('.fix-insert input').focus();
    const added = rowForm(`A missed row after the row of ${tx.date}`, { date: tx.date }, 'Add row');
    added.form.classList.add('fix-insert');
    const cancel = button('Cancel', 'secondary');
    added.actions.append(cancel);
    cancel.addEventListener('click', () => {
      added.form.remove();
      insert.focus();
    });
    added.form.addEventListener('submit', (e) => {
      e.preventDefault();
      let figures;
      try {
        figures = readFigures(added.form);
      } catch (err) {
        added.error.textContent = err.message;
        return;
      }
      send('POST', `/sessions/${ctx.sessionId}/transactions`, { after: tx.id, ...figures }, 'Row inserted', added.error);
    });
    box.append(added.form);
    added.form.elements.description.focus();
  });
  return box;
}
