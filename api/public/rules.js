// The rule editor: one row per rule (category, field, operator, value), turned into the
// API's rule set {rules: [{category, conditions: {field, op, value}}], only_uncategorized}.
const OPS = {
  text: ['contains', 'not_contains', 'equals', 'not_equals', 'starts_with', 'ends_with', 'regex', 'in'],
  number: ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'between', 'in'],
  date: ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'between', 'in'],
};
const FIELDS = { description: 'text', amount: 'number', balance: 'number', date: 'date' };
const OP_LABELS = {
  contains: 'contains', not_contains: 'does not contain', equals: 'equals', not_equals: 'is not',
  starts_with: 'starts with', ends_with: 'ends with', regex: 'matches regex', in: 'is one of (comma-separated)',
  gt: '>', gte: '≥', lt: '<', lte: '≤', between: 'between (a, b)',
};

let counter = 0;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function field(labelText, control) {
  const id = `rule-${++counter}`;
  control.id = id;
  return el('div', { class: 'field' }, [el('label', { for: id, text: labelText }), control]);
}

function fillOps(select, kind, current) {
  select.replaceChildren(...OPS[kind].map((op) => el('option', { value: op, text: OP_LABELS[op] })));
  if (OPS[kind].includes(current)) select.value = current;
}

/** Adds a rule row to the list; returns its first input (to focus it). */
export function addRule(list, rule = { category: '', field: 'description', op: 'contains', value: '' }) {
  const category = el('input', { required: '', autocomplete: 'off', 'data-role': 'category' });
  category.value = rule.category;
  const fieldSel = el('select', { 'data-role': 'field' }, Object.keys(FIELDS).map((f) => el('option', { value: f, text: f })));
  fieldSel.value = rule.field;
  const opSel = el('select', { 'data-role': 'op' });
  fillOps(opSel, FIELDS[rule.field], rule.op);
  fieldSel.addEventListener('change', () => fillOps(opSel, FIELDS[fieldSel.value], opSel.value));
  const value = el('input', { required: '', autocomplete: 'off', 'data-role': 'value' });
  value.value = rule.value;
  const remove = el('button', { type: 'button', class: 'secondary', text: 'Remove' });
  const li = el('li', {}, [field('Category', category), field('Field', fieldSel), field('Operator', opSel), field('Value', value), remove]);
  remove.addEventListener('click', () => {
    const next = li.nextElementSibling ?? li.previousElementSibling;
    li.remove();
    renumber(list);
    (next?.querySelector('input') ?? list.closest('form')?.querySelector('#add-rule'))?.focus();
  });
  list.append(li);
  renumber(list);
  return category;
}

/** Accessible names that say which rule a control belongs to. */
function renumber(list) {
  [...list.children].forEach((li, i) => {
    li.querySelector('button').setAttribute('aria-label', `Remove rule ${i + 1}`);
  });
}

function parseValue(kind, op, raw) {
  const one = (s) => {
    const t = s.trim();
    if (kind !== 'number') return t;
    const n = Number(t.replace(/[\s,](?=\d{3}\b)/g, ''));
    if (!Number.isFinite(n)) throw new Error(`"${t}" is not a number`);
    return n;
  };
  if (op === 'in') return raw.split(',').map(one).filter((v) => v !== '');
  if (op === 'between') {
    const parts = raw.split(',');
    if (parts.length !== 2) throw new Error('between needs two values: a, b');
    return parts.map(one);
  }
  return one(raw);
}

/** The rule set of the editor; throws with a message naming the rule when a value is bad. */
export function readRules(list, onlyUncategorized) {
  const rules = [...list.children].map((li, i) => {
    const get = (role) => li.querySelector(`[data-role="${role}"]`).value;
    const fieldName = get('field');
    try {
      return { category: get('category').trim(), conditions: { field: fieldName, op: get('op'), value: parseValue(FIELDS[fieldName], get('op'), get('value')) } };
    } catch (err) {
      throw new Error(`Rule ${i + 1}: ${err.message}`);
    }
  });
  return { rules, only_uncategorized: onlyUncategorized };
}
